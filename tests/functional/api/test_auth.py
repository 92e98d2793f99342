"""Bearer keys under /api/v1/: 401 for a missing, wrong or revoked key alike, 403 for a read key
writing, JSON bodies for every refusal, and no way in with a browser session."""
import pytest
from sqlalchemy import select

from portal.api.keys import find_active_key, revoke_api_key
from portal.api.models import ApiCall, ApiKey
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff
from tests.functional.api.conftest import bearer

PARTY = {"external_id": "P-1", "name": "Acme"}


def test_missing_wrong_and_revoked_keys_get_the_same_401(testapp, dbsession, write_key):
    revoked = find_active_key(dbsession, write_key)
    answers = [testapp.get("/api/v1/parties/P-1", status=401),
               testapp.get("/api/v1/parties/P-1", headers=bearer("pk_wrong"), status=401),
               testapp.get("/api/v1/parties/P-1", headers={"Authorization": "Basic abc"}, status=401)]
    revoke_api_key(revoked)
    dbsession.flush()
    answers.append(testapp.post_json("/api/v1/parties", PARTY, headers=bearer(write_key), status=401))
    bodies = {r.json["error"]["message"] for r in answers}
    assert len(bodies) == 1
    assert all(r.content_type == "application/json" and r.headers["WWW-Authenticate"].startswith("Bearer")
               for r in answers)


def test_a_read_key_reads_but_may_not_write(testapp, dbsession, read_key):
    PartyFactory(external_id="P-1", name="Acme")
    assert testapp.get("/api/v1/parties/P-1", headers=bearer(read_key)).json["name"] == "Acme"
    refused = testapp.post_json("/api/v1/parties", PARTY, headers=bearer(read_key), status=403)
    assert refused.json["error"]["status"] == 403
    key = dbsession.scalars(select(ApiKey).where(ApiKey.name == "Reports")).one()
    assert key.last_used_at is not None


def test_a_write_key_needs_no_csrf_and_sets_no_cookie(testapp, write_key):
    response = testapp.post_json("/api/v1/parties", PARTY, headers=bearer(write_key))
    assert response.json["counts"]["created"] == 1
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("role", [None, "admin"])
def test_a_browser_session_gives_no_api_access(testapp, dbsession, role):
    user = staff(role, login="apiadmin") if role else customer(login="apicustomer")
    login(testapp, user.login)
    assert testapp.cookies
    PartyFactory(external_id="P-9")
    testapp.get("/api/v1/parties/P-9", status=401)
    testapp.post_json("/api/v1/parties", PARTY, status=401)
    assert testapp.get("/account/").status_int == 200  # the session itself is fine


def test_an_api_key_opens_nothing_outside_the_api(testapp, write_key):
    response = testapp.get("/account/", headers=bearer(write_key), status=303)
    assert "/login" in response.location


def test_unknown_entity_and_record_are_json_404(testapp, read_key):
    assert testapp.get("/api/v1/nothing/1", headers=bearer(read_key), status=404).json["error"]["status"] == 404
    assert testapp.get("/api/v1/parties/none", headers=bearer(read_key), status=404).content_type == \
        "application/json"
    assert testapp.get("/api/v2/", status=404).content_type == "application/json"


def test_every_call_is_logged(testapp, dbsession, write_key):
    testapp.post_json("/api/v1/parties", {"items": [PARTY, {"external_id": "P-2"}]}, headers=bearer(write_key))
    call = dbsession.scalars(select(ApiCall)).all()[-1]
    key = find_active_key(dbsession, write_key)
    assert (call.key_id, call.method, call.endpoint, call.status) == (key.id, "POST", "/api/v1/parties", 200)
    assert (call.created, call.errors, call.outcome) == (1, 1, "partial")
    assert call.duration_ms >= 0


def test_no_html_under_the_api_whatever_the_method(testapp, write_key):
    for method in ("put", "patch"):
        response = getattr(testapp, method)("/api/v1/parties", "{}", headers=bearer(write_key), expect_errors=True)
        assert response.status_int in (404, 405) and response.content_type == "application/json"
        assert response.json["error"]["status"] == response.status_int


def test_a_path_that_is_not_utf8_is_a_json_400(testapp):
    response = testapp.get("/api/v1/parties/%FF%FE", status=400)
    assert response.json["error"]["status"] == 400
