"""Administrators and the back office keep the parties: list (search, sort, state filter, export), a new
party, its record with its holding and customer groups, its contracts, blocking it (its users' sessions
end, it disappears for them, staff see it with a badge); all audited, nobody else may."""
import io

import openpyxl
import pytest
import webtest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.identity.models import AuthSession
from portal.parties.models import Contract, Party, PartyGroup, PartyGroupMember
from tests.conftest import login
from tests.factories import ContractFactory, MembershipFactory, PartyFactory, customer, staff


@pytest.fixture
def admin_app(testapp):
    login(testapp, staff("admin", login="parties-admin").login)
    return testapp


def browser(app, testapp):
    return webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))


def entries(dbsession, *actions):
    dbsession.flush()
    return dbsession.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)).all()


def new_party(admin_app, **fields):
    form = admin_app.get("/admin/parties/new").forms["party"]
    for name, value in fields.items():
        form[name] = value
    return form.submit("submit", status="*")


def test_a_new_party_with_its_holding_and_customer_group_is_audited(admin_app, dbsession):
    holding = PartyFactory(name="Sever Group", external_id="SG-1")
    group = PartyGroup(name="Key accounts")
    dbsession.add(group)
    dbsession.flush()
    form = admin_app.get("/admin/parties/new").forms["party"]
    form["name"] = "  Sever Daughter  "
    form["tax_id"] = "7701999999"
    form["external_id"] = "SD-1"
    form["parent"] = "SG-1"
    (box,) = [f for f in form.fields["checkbox"] if f._value == str(group.id)]
    box.checked = True
    page = form.submit("submit", status=303).follow()
    assert "The party “Sever Daughter” has been created." in page.text
    party = dbsession.scalars(select(Party).where(Party.external_id == "SD-1")).one()
    assert (party.name, party.tax_id, party.parent_id, party.state) == ("Sever Daughter", "7701999999", holding.id,
                                                                        "active")
    assert dbsession.get(PartyGroupMember, (group.id, party.id)) is not None
    (entry,) = entries(dbsession, "party.create")
    assert entry.target == f"party:{party.id}"
    assert entry.detail == {"name": "Sever Daughter", "tax_id": "7701999999", "external_id": "SD-1",
                            "parent": "Sever Group", "groups": ["Key accounts"]}
    # The holding's home lists it as a member company.
    assert "Sever Daughter" in admin_app.get(f"/p/{holding.id}/").text


@pytest.mark.parametrize("fields, message", [
    ({"name": "   "}, "Required"),
    ({"name": "Taken", "external_id": "TAKEN-1"}, "Another party has the accounting id “TAKEN-1”."),
    ({"name": "Orphan", "parent": "NO-SUCH"}, "There is no party “NO-SUCH”."),
    ({"name": "Long", "tax_id": "9" * 40}, "Longer than maximum length 32"),
    ({"name": "Huge", "parent": str(10**30)}, "There is no party"),
])
def test_a_refused_new_party_says_why_and_creates_nothing(admin_app, dbsession, fields, message):
    PartyFactory(external_id="TAKEN-1")
    dbsession.flush()
    before = dbsession.scalars(select(Party.id)).all()
    response = new_party(admin_app, **fields)
    assert response.status_int == 400 and message in response.text
    assert dbsession.scalars(select(Party.id)).all() == before
    assert entries(dbsession, "party.create") == []


def test_editing_a_party_records_what_changed_and_refuses_a_circle_of_holdings(admin_app, dbsession):
    top = PartyFactory(name="Top Holding", external_id="TOP")
    middle = PartyFactory(name="Middle Co", external_id="MID", parent=top)
    leaf = PartyFactory(name="Leaf Co", external_id="LEAF", parent=middle)
    form = admin_app.get(f"/admin/parties/{top.id}/").forms["edit-party"]
    assert form["name"].value == "Top Holding"
    form["parent"] = "LEAF"  # the leaf's holding's holding is the top: a circle
    page = form.submit("submit", status=400)
    assert "The parent would make a circle of holdings." in page.text
    form = admin_app.get(f"/admin/parties/{top.id}/").forms["edit-party"]
    form["parent"] = str(top.id)
    assert "A party cannot be its own parent." in form.submit("submit", status=400).text
    dbsession.expire_all()
    assert dbsession.get(Party, top.id).parent_id is None and entries(dbsession, "party.update") == []

    form = admin_app.get(f"/admin/parties/{leaf.id}/").forms["edit-party"]
    assert form["parent"].value == "MID"
    form["name"] = "Leaf Company"
    form["parent"] = ""
    form.submit("submit", status=303)
    (entry,) = entries(dbsession, "party.update")
    assert entry.detail["changes"] == {"name": ["Leaf Co", "Leaf Company"], "parent": ["Middle Co", None]}
    form = admin_app.get(f"/admin/parties/{leaf.id}/").forms["edit-party"]
    assert "Nothing has changed" not in form.submit("submit", status=303).follow().text
    assert len(entries(dbsession, "party.update")) == 1  # saving it unchanged writes no entry


def test_the_list_searches_filters_sorts_and_exports(admin_app, dbsession):
    PartyFactory(name="Listed Alpha", external_id="LIST-A", tax_id="5000000001")
    blocked = PartyFactory(name="Listed Beta", external_id="LIST-B", state="blocked",
                           parent=PartyFactory(name="Listed Holding"))
    page = admin_app.get("/admin/parties/?q=listed&sort=-name")
    text = page.text
    assert text.index("Listed Holding") < text.index("Listed Beta") < text.index("Listed Alpha")
    page = admin_app.get("/admin/parties/?q=listed&state=blocked")
    assert "Listed Beta" in page.text and "Listed Alpha" not in page.text
    assert page.html.select_one(f'a[href$="/admin/parties/{blocked.id}/"]') is not None
    export = admin_app.get(page.html.select_one("p.export a")["href"])
    sheet = openpyxl.load_workbook(io.BytesIO(export.body)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[:5] for r in rows] == [["Listed Beta", blocked.tax_id, "LIST-B", "Listed Holding", "blocked"]]
    (entry,) = entries(dbsession, "list.export")
    assert entry.detail["filters"] == {"state": "blocked"}


def test_contracts_are_added_and_edited_on_the_party_and_refused_clearly(admin_app, dbsession):
    party = PartyFactory(name="Contracted Co")
    other = PartyFactory()
    foreign = ContractFactory(party=other, number="OTHER-1")
    page = admin_app.get(f"/admin/parties/{party.id}/contracts/new")
    form = page.forms["contract"]
    form["number"] = "K-2026/1"
    form["valid_from"] = "2026-01-01"
    form["valid_to"] = "2025-12-31"
    assert "The end is before the start." in form.submit("submit", status=400).text
    form = admin_app.get(f"/admin/parties/{party.id}/contracts/new").forms["contract"]
    form["number"] = "K-2026/1"
    form["valid_from"] = "2026-01-01"
    page = form.submit("submit", status=303).follow()
    assert "The contract K-2026/1 has been saved." in page.text
    contract = dbsession.scalars(select(Contract).where(Contract.party_id == party.id)).one()
    assert (contract.valid_from.isoformat(), contract.valid_to) == ("2026-01-01", None)
    # The same number twice on one party is refused; another party may have it.
    form = admin_app.get(f"/admin/parties/{party.id}/contracts/new").forms["contract"]
    form["number"] = "K-2026/1"
    form["valid_from"] = "2026-02-01"
    assert "This party already has a contract numbered “K-2026/1”." in form.submit("submit", status=400).text
    form = admin_app.get(f"/admin/parties/{party.id}/contracts/{contract.id}/").forms["contract"]
    assert form["number"].value == "K-2026/1"
    form["valid_to"] = "2026-12-31"
    form.submit("submit", status=303)
    assert [e.action for e in entries(dbsession, "contract.create", "contract.update")] == [
        "contract.create", "contract.update"]
    assert entries(dbsession, "contract.update")[0].detail["changes"] == {"valid_to": [None, "2026-12-31"]}
    # Another party's contract is not found under this party.
    admin_app.get(f"/admin/parties/{party.id}/contracts/{foreign.id}/", status=404)
    admin_app.get(f"/admin/parties/{party.id}/contracts/", status=404)


def test_blocking_a_party_ends_its_users_sessions_and_hides_it_from_them(app, admin_app, dbsession):
    party, other = PartyFactory(name="Blocked Heat"), PartyFactory(name="Still Open")
    member = customer(party, login="blocked-member")
    both = customer(party, login="two-party-member")
    MembershipFactory(user=both, party=other)
    clerk = staff("service", login="still-working")
    sessions = {}
    for user in (member, both, clerk):
        sessions[user.login] = browser(app, admin_app)
        login(sessions[user.login], user.login)
        sessions[user.login].get(f"/p/{party.id}/", status=200)
    admin_app.get(f"/admin/parties/{party.id}/").forms["party-state"].submit(status=303)
    dbsession.flush()
    assert dbsession.get(Party, party.id).state == "blocked"
    assert dbsession.scalars(select(AuthSession.user_id)).all() and not dbsession.scalars(
        select(AuthSession).where(AuthSession.user_id.in_([member.id, both.id]))).all()
    # Their next request is a logged-out one; logged in again, the party is not theirs any more.
    assert sessions["blocked-member"].get(f"/p/{party.id}/", status=303).location.endswith(
        f"/login?next=%2Fp%2F{party.id}%2F")
    login(sessions["two-party-member"], "two-party-member")
    sessions["two-party-member"].get(f"/p/{party.id}/", status=404)
    sessions["two-party-member"].get(f"/p/{other.id}/", status=200)
    assert "Blocked Heat" not in sessions["two-party-member"].get("/p/").text
    # Staff keep their session and see it, with its badge.
    home = sessions["still-working"].get(f"/p/{party.id}/")
    assert home.html.select_one("h1 .badge-blocked") is not None
    assert "blocked" in sessions["still-working"].get("/p/?q=Blocked+Heat").html.select_one("table.list").text
    (entry,) = entries(dbsession, "party.block")
    assert entry.target == f"party:{party.id}"
    # Unblocked, it is theirs again.
    admin_app.get(f"/admin/parties/{party.id}/").forms["party-state"].submit(status=303)
    sessions["two-party-member"].get(f"/p/{party.id}/", status=200)
    assert [e.action for e in entries(dbsession, "party.block", "party.unblock")] == ["party.block", "party.unblock"]


def test_a_party_home_links_its_administration_for_those_who_keep_parties(admin_app, testapp, dbsession, app):
    party = PartyFactory()
    home = admin_app.get(f"/p/{party.id}/")
    assert home.html.select_one(f'a[href$="/admin/parties/{party.id}/"]') is not None
    service = browser(app, admin_app)
    login(service, staff("service").login)
    assert service.get(f"/p/{party.id}/").html.select_one('a[href*="/admin/parties/"]') is None


def test_the_back_office_keeps_parties_and_nobody_else(app, testapp, dbsession):
    party = PartyFactory(name="Kept Co")
    clerk = browser(app, testapp)
    login(clerk, staff("backoffice").login)
    assert "Kept Co" in clerk.get("/admin/parties/?q=Kept").text
    clerk.get(f"/admin/parties/{party.id}/", status=200)
    for role in ("service", "manager", "head"):
        other = browser(app, testapp)
        login(other, staff(role).login)
        other.get("/admin/parties/", status=403)
        other.get(f"/admin/parties/{party.id}/", status=403)
    # A customer, of this party or another, is shown nothing of it.
    for user in (customer(party), customer()):
        visitor = browser(app, testapp)
        login(visitor, user.login)
        for url in ("/admin/parties/", f"/admin/parties/{party.id}/", "/admin/parties/export.xlsx",
                    f"/admin/parties/{party.id}/contracts/new"):
            response = visitor.get(url, status=403)
            assert "Kept Co" not in response.text
        token = visitor.get("/account/").forms[0]["csrf_token"].value
        visitor.post(f"/admin/parties/{party.id}/block", {"csrf_token": token}, status=403)
    dbsession.flush()
    assert dbsession.get(Party, party.id).state == "active"


def test_block_and_edit_need_the_csrf_token(admin_app, dbsession):
    party = PartyFactory()
    admin_app.post(f"/admin/parties/{party.id}/block", {}, status=400)
    admin_app.post(f"/admin/parties/{party.id}/edit", {"name": "Forged"}, status=400)
    dbsession.flush()
    assert (dbsession.get(Party, party.id).state, entries(dbsession, "party.block", "party.update")) == ("active", [])
