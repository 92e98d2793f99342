"""``/admin/integration/``: admins list, create (the token shown once) and revoke API keys, audited."""
import re

from sqlalchemy import select

from portal.api.keys import find_active_key, hash_token
from portal.api.models import ApiKey
from portal.audit.models import AuditEntry
from tests.conftest import login
from tests.factories import customer, staff
from tests.functional.api.conftest import bearer


def test_an_admin_creates_a_key_sees_it_once_and_revokes_it(testapp, dbsession):
    staff("admin", login="keyadmin")
    login(testapp, "keyadmin")
    page = testapp.get("/admin/integration/")
    form = page.forms["api-key"]
    form["name"] = "Accounting"
    form["scope"] = "write"
    created = form.submit("submit")
    token = re.search(r'id="new-api-key">([^<]+)<', created.text).group(1)
    key = dbsession.scalars(select(ApiKey).where(ApiKey.name == "Accounting")).one()
    assert key.key_hash == hash_token(token) and key.scope == "write"
    assert token not in testapp.get("/admin/integration/").text  # shown once
    testapp.post_json("/api/v1/parties", {"external_id": "A-1", "name": "Acme"}, headers=bearer(token))
    listing = testapp.get("/admin/integration/")
    revoke = [f for f in listing.forms.values() if f.action.endswith("/revoke")][0]
    revoke.submit().follow()
    assert find_active_key(dbsession, token) is None
    actions = set(dbsession.scalars(select(AuditEntry.action).where(AuditEntry.target == f"api_key:{key.id}")))
    assert actions == {"api_key.create", "api_key.revoke"}
    testapp.get("/api/v1/parties/A-1", headers=bearer(token), status=401)


def test_an_empty_name_is_refused_and_creates_nothing(testapp, dbsession):
    staff("admin", login="keyadmin2")
    login(testapp, "keyadmin2")
    form = testapp.get("/admin/integration/").forms["api-key"]
    form["name"] = "   "
    form.submit("submit", status=400)
    assert dbsession.scalars(select(ApiKey)).all() == []


def test_only_admins_open_the_page(testapp):
    customer(login="nokeys")
    login(testapp, "nokeys")
    testapp.get("/admin/integration/", status=403)
