"""Refused calls are in the call log too: 401 (no, a wrong or a revoked key) without a key id, 403 (a
read key writing) with its key, and the other errors an exception view answers.

An exception view's answer makes pyramid_tm abort the request's transaction, so these rows are written
after it, in a transaction of their own: the last test runs the application with real transactions to
prove that they are kept.
"""
import uuid

import pytest
import webtest
from sqlalchemy import delete, select

from portal.api.keys import create_api_key, find_active_key, revoke_api_key
from portal.api.models import ApiCall, ApiKey
from tests.functional.api.conftest import bearer

PARTY = {"external_id": "P-1", "name": "Acme"}


def calls_since(dbsession, last_id):
    return dbsession.scalars(select(ApiCall).where(ApiCall.id > last_id).order_by(ApiCall.id)).all()


def last_call_id(dbsession):
    return dbsession.scalar(select(ApiCall.id).order_by(ApiCall.id.desc()).limit(1)) or 0


def test_401_and_403_are_logged_with_the_key_only_when_valid(testapp, dbsession, read_key, write_key):
    revoked = find_active_key(dbsession, write_key)
    revoke_api_key(revoked)
    dbsession.flush()
    before = last_call_id(dbsession)
    testapp.get("/api/v1/parties/P-1", status=401)
    testapp.get("/api/v1/parties/P-1", headers=bearer("pk_wrong"), status=401)
    testapp.post_json("/api/v1/parties", PARTY, headers=bearer(write_key), status=401)
    testapp.post_json("/api/v1/parties", PARTY, headers=bearer(read_key), status=403)
    calls = calls_since(dbsession, before)
    assert [(c.method, c.endpoint, c.status, c.outcome, c.key_id) for c in calls] == [
        ("GET", "/api/v1/parties/P-1", 401, "refused", None),
        ("GET", "/api/v1/parties/P-1", 401, "refused", None),
        ("POST", "/api/v1/parties", 401, "refused", None),
        ("POST", "/api/v1/parties", 403, "refused", find_active_key(dbsession, read_key).id),
    ]
    assert all(c.duration_ms >= 0 and c.created == c.errors == 0 for c in calls)


def test_unknown_paths_and_methods_are_logged(testapp, dbsession, write_key):
    before = last_call_id(dbsession)
    testapp.get("/api/v1/nothing/1", headers=bearer(write_key), status=404)
    testapp.put("/api/v1/parties", "{}", headers=bearer(write_key), expect_errors=True)
    testapp.get("/api/v1/parties/%FF%FE", status=400)
    calls = calls_since(dbsession, before)
    key_id = find_active_key(dbsession, write_key).id
    assert [(c.method, c.status, c.key_id) for c in calls][:2] == [("GET", 404, key_id), ("PUT", calls[1].status, key_id)]
    assert calls[1].status in (404, 405)
    assert (calls[2].status, calls[2].key_id) == (400, None) and calls[2].endpoint.startswith("/api/v1/parties/")


@pytest.fixture
def committed_key(app):
    """A read key committed for real; the key and every call logged meanwhile removed afterwards."""
    factory = app.registry["dbsession_factory"]
    with factory() as s:
        before = s.scalar(select(ApiCall.id).order_by(ApiCall.id.desc()).limit(1)) or 0
        key, token = create_api_key(s, f"Committed {uuid.uuid4().hex[:8]}", "read")
        s.commit()
        key_id = key.id
    yield {"token": token, "id": key_id, "before": before}
    with factory() as s:
        s.execute(delete(ApiCall).where(ApiCall.id > before))
        s.execute(delete(ApiKey).where(ApiKey.id == key_id))
        s.commit()


def test_refusals_are_kept_though_the_requests_transaction_is_aborted(app, committed_key):
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.11"})
    browser.get("/api/v1/parties/P-1", status=401)
    browser.post_json("/api/v1/parties", PARTY, headers=bearer(committed_key["token"]), status=403)
    browser.get("/api/v1/parties/none", headers=bearer(committed_key["token"]), status=404)  # the view's own
    with app.registry["dbsession_factory"]() as s:
        calls = s.scalars(select(ApiCall).where(ApiCall.id > committed_key["before"]).order_by(ApiCall.id)).all()
        assert [(c.status, c.key_id) for c in calls] == [(401, None), (403, committed_key["id"]),
                                                         (404, committed_key["id"])]
