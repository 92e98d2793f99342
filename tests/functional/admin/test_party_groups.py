"""An admin keeps customer groups (party groups): creates, renames, adds and removes parties, deletes
one no document is shown to; all audited, admins only; a group's parties are shown its documents."""
import pytest
import webtest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.parties.models import PartyGroup, PartyGroupMember
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff
from tests.factories import documents as make


@pytest.fixture
def admin_app(testapp):
    login(testapp, staff("admin", login="groups-admin").login)
    return testapp


def actions(dbsession):
    dbsession.flush()
    return dbsession.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("party_group."))
                             .order_by(AuditEntry.id)).all()


def test_an_admin_keeps_a_customer_group(admin_app, dbsession, app):
    water = PartyFactory(name="Water One", external_id="WATER-1")
    other = PartyFactory(name="Water Two")
    form = admin_app.get("/admin/party-groups/new").forms["party-group"]
    form["name"] = "Water utilities"
    page = form.submit("submit", status=303).follow()
    group = dbsession.scalars(select(PartyGroup).where(PartyGroup.name == "Water utilities")).one()
    for ref in ("WATER-1", str(other.id)):
        form = page.forms["add-party"]
        form["party"] = ref
        page = form.submit("submit", status=303).follow()
    assert {m.party_id for m in dbsession.scalars(select(PartyGroupMember))} == {water.id, other.id}
    form = page.forms["add-party"]
    form["party"] = "WATER-1"
    assert "is already in this group" in form.submit("submit", status=400).text
    form = admin_app.get(f"/admin/party-groups/{group.id}/").forms["add-party"]
    form["party"] = "NO-SUCH"
    assert "There is no party “NO-SUCH”" in form.submit("submit", status=400).text
    # Its parties are shown the documents meant for it.
    document = make.document(dbsession, title_en="For the water group", visibility="chosen", groups=[group])
    reader = webtest.TestApp(app, extra_environ=dict(admin_app.extra_environ))
    login(reader, customer(water, login="water-reader").login)
    assert reader.get(f"/p/{water.id}/documents/{document.id}/").status_int == 200
    # While a document is shown to it, it cannot be deleted.
    response = admin_app.get(f"/admin/party-groups/{group.id}/").forms["delete-party-group"].submit(status=400)
    assert "1 documents are shown to it" in response.text
    # Taken out of the group, the party no longer sees the document.
    remove = [f for f in admin_app.get(f"/admin/party-groups/{group.id}/").forms.values()
              if f.action.endswith("remove-party") and f["party_id"].value == str(water.id)][0]
    remove.submit(status=303)
    assert reader.get(f"/p/{water.id}/documents/{document.id}/", status="*").status_int == 404
    form = admin_app.get(f"/admin/party-groups/{group.id}/").forms["rename-party-group"]
    form["name"] = "Vodokanals"
    form.submit("submit", status=303)
    assert actions(dbsession) == ["party_group.create", "party_group.add_party", "party_group.add_party",
                                  "party_group.remove_party", "party_group.rename"]
    list_page = admin_app.get("/admin/party-groups/?q=vodo")
    assert "Vodokanals" in list_page.text


def test_an_empty_group_is_deleted_and_names_are_unique(admin_app, dbsession):
    make.party_group(dbsession, "Dealers")
    form = admin_app.get("/admin/party-groups/new").forms["party-group"]
    form["name"] = "dealers"
    assert "already exists" in form.submit("submit", status=400).text
    group = make.party_group(dbsession, "Key accounts")
    admin_app.get(f"/admin/party-groups/{group.id}/").forms["delete-party-group"].submit(status=303)
    assert dbsession.get(PartyGroup, group.id) is None
    assert actions(dbsession)[-1] == "party_group.delete"


def test_only_admins_keep_customer_groups(app, testapp, dbsession):
    group = make.party_group(dbsession, "Dealers")
    for user in (staff("backoffice"), customer()):
        browser = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
        login(browser, user.login)
        for path in ("/admin/party-groups/", f"/admin/party-groups/{group.id}/"):
            assert browser.get(path, status="*").status_int in (403, 404)
