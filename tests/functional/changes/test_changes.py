"""Change requests through HTTP: the customer's path, the back office's decision, the queue, isolation, bad input."""
import pytest
import webtest
from sqlalchemy import func, select

from portal.changes.fields import FIELDS
from portal.changes.models import ChangeRequest
from portal.parties.models import Party
from portal.workflows.models import WorkflowHistory
from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories.changes import PARTY_VALUES, change_request

SECRET = {  # the other party's data: never to be seen by the first party's people
    "billing_address": "Kazan, Secret street 99", "contact_person": "Hidden Person",
    "email": "secret@other.test", "phone": "+7 843 999-99-99", "bank_name": "Hidden Bank of Kazan",
    "bank_bic": "049205603", "bank_account": "40702810999999999999", "invoice_channel": "post",
    "invoice_email": "hidden-invoices@other.test",
}
BIK = PARTY_VALUES["bank_bic"]  # 044525225: a commercial bank, so account numbers are keyed to it


@pytest.fixture
def setup(dbsession):
    party = PartyFactory(name="Changing Co", **PARTY_VALUES)
    other = PartyFactory(name="Bystander Ltd", **SECRET)
    manager, manager_other = staff("manager", last_name="Manager"), staff("manager", last_name="Elsewhere")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    ManagerAssignmentFactory(user_id=manager_other.id, party_id=other.id)
    return {
        "party": party, "other": other,
        "author": customer(party, last_name="Author"), "colleague": customer(party, last_name="Colleague"),
        "outsider": customer(other, last_name="Outsider"),
        "backoffice": staff("backoffice", last_name="Clerk"), "backoffice2": staff("backoffice", last_name="Second"),
        "manager": manager, "manager_other": manager_other, "head": staff("head", last_name="Boss"),
    }


@pytest.fixture
def browser(app, testapp):
    """``browser(user)``: a fresh browser logged in as ``user``, sharing the test's transaction."""

    def open_as(user):
        b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
        login(b, user.login)
        return b

    return open_as


def base(party):
    return f"/p/{party.id}/changes/"


def action(page, transition):
    return next((f for f in page.forms.values()
                 if "transition" in f.fields and f["transition"].value == transition), None)


def act(b, url, transition, **fields):
    form = action(b.get(url), transition)
    assert form is not None, f"no {transition} button on {url}"
    for name, value in fields.items():
        form[name] = value
    return form.submit(status=303).follow()


def ask(b, party, button="save", status=303, **values):
    page = b.get(base(party) + "new")
    form = page.forms["change-request"]
    for name, value in values.items():
        form[name] = value
    return form.submit(button, status=status)


def reload(dbsession, obj):
    dbsession.flush()
    dbsession.refresh(obj)
    return obj


def only_request(dbsession):
    return dbsession.scalars(select(ChangeRequest)).one()


def history(dbsession, item):
    return dbsession.execute(
        select(WorkflowHistory.transition, WorkflowHistory.actor_id)
        .where(WorkflowHistory.workflow == "change_request", WorkflowHistory.item_id == item.id)
        .order_by(WorkflowHistory.id)
    ).all()


def count(dbsession):
    return dbsession.scalar(select(func.count()).select_from(ChangeRequest))


# --- the customer ----------------------------------------------------------------------------

def test_form_shows_the_partys_current_values(browser, setup):
    page = browser(setup["author"]).get(base(setup["party"]) + "new")
    form = page.forms["change-request"]
    assert set(PARTY_VALUES) == set(FIELDS)  # every field of the form is checked here
    for name, value in PARTY_VALUES.items():
        assert form[name].value == value, name
    options = {v: t for v, _s, t in form["invoice_channel"].options}
    assert options["email"] == "By e-mail" and options["edi"] == "Electronic data interchange (EDI)"
    assert {"post", "portal"} <= set(options)
    assert "Changing Co" in page.text


def test_send_is_the_primary_button_and_save_draft_the_second(browser, setup):
    page = browser(setup["author"]).get(base(setup["party"]) + "new")
    buttons = page.html.select("form#change-request button[type=submit]")
    assert [(b["name"], b.text.strip()) for b in buttons] == [("submit", "Send"), ("save", "Save draft")]
    assert "btn-primary" in buttons[0]["class"] and "btn-primary" not in buttons[1]["class"]


def test_a_form_sent_without_naming_a_button_sends_for_approval(browser, dbsession, setup):
    """What Enter in a field does: the first button, "Send"."""
    form = browser(setup["author"]).get(base(setup["party"]) + "new").forms["change-request"]
    form["phone"] = "+7 495 111-22-33"
    form.submit(status=303)
    assert only_request(dbsession).state == "submitted"


def test_saving_keeps_only_the_changed_values_in_a_draft(browser, dbsession, setup):
    b = browser(setup["author"])
    page = ask(b, setup["party"], phone="+7 495 111-22-33", invoice_channel="portal").follow()
    item = only_request(dbsession)
    assert item.state == "draft" and item.author_id == setup["author"].id
    assert item.changes == {"phone": "+7 495 111-22-33", "invoice_channel": "portal"}
    assert history(dbsession, item) == [("create", setup["author"].id)]
    assert f"Change request #{item.id} is saved as a draft." in page.text
    rows = {r.th.text: [td.text.strip() for td in r.select("td")] for r in page.html.select("table.changes tbody tr")}
    assert rows == {"Phone": ["+7 495 000-00-01", "+7 495 111-22-33"],
                    "Invoice delivery channel": ["By e-mail", "In the portal"]}
    assert reload(dbsession, setup["party"]).phone == PARTY_VALUES["phone"]  # nothing applied


def test_save_and_submit_creates_and_submits(browser, dbsession, setup):
    page = ask(browser(setup["author"]), setup["party"], button="submit", email="new@party.test").follow()
    item = only_request(dbsession)
    assert item.state == "submitted" and item.previous == PARTY_VALUES
    assert [t for t, _a in history(dbsession, item)] == ["create", "submit"]
    assert "Nothing changes until our back office approves it." in page.text
    assert "Value when submitted" in page.text
    assert reload(dbsession, setup["party"]).email == PARTY_VALUES["email"]


def test_a_request_that_changes_nothing_is_refused(browser, dbsession, setup):
    response = ask(browser(setup["author"]), setup["party"], status=400, contact_person="  Ivan Petrov  ")
    assert "every value is the same as now" in response.text
    assert count(dbsession) == 0


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-address", "Enter an e-mail address such as name@example.com."),
    ("email", "a" * 250 + "@x.test", "Longer than maximum length 254"),
    ("contact_person", "x" * 201, "Longer than maximum length 200"),
    ("billing_address", "y" * 501, "Longer than maximum length 500"),
    ("phone", "call me maybe", "Enter a phone number of 5 to 15 digits"),
    ("phone", "+1 234 567 890 123 456 789", "Enter a phone number of 5 to 15 digits"),
    ("bank_account", "ACC#1", "Enter the account number: 20 digits"),
    ("bank_account", "ABCDEFGHIJ", "Enter the account number: 20 digits"),
    ("bank_account", "4" * 19, "Enter the account number: 20 digits"),
    ("bank_account", "4" * 40, "Enter the account number: 20 digits"),
    ("bank_account", "4" * 70, "Longer than maximum length 64"),
    ("bank_account", "CZ65 0800 0000 1920 0014 5398", "The check digits of the IBAN do not match"),
    ("bank_account", "CZ65 0800 0000 1920 0014 5399", "A BIK names a Russian bank"),  # beside a BIK
    ("bank_account", "40702810300000000001", "The account number does not match the BIK"),
    ("bank_bic", "04452522", "Enter the BIC: 9 digits for a Russian bank"),
    ("bank_bic", "0445252250", "Enter the BIC: 9 digits for a Russian bank"),
    ("bank_bic", "GIBA CZ P", "Enter the BIC: 9 digits for a Russian bank"),
    ("bank_bic", "044525593", "The account number does not match the BIK"),  # the account is keyed to 044525225
    ("bank_name", "b" * 201, "Longer than maximum length 200"),
    ("bank_name", "   ", "This value cannot be removed, only replaced."),
    ("invoice_email", "invoices at party", "Enter an e-mail address such as name@example.com."),
    ("contact_person", "   ", "This value cannot be removed, only replaced."),
])
def test_bad_input_is_refused_with_the_reason_and_nothing_is_created(browser, dbsession, setup, field, value,
                                                                        message):
    response = ask(browser(setup["author"]), setup["party"], status=400, **{field: value})
    assert message in response.text
    assert count(dbsession) == 0


def test_a_forged_invoice_channel_is_refused(browser, dbsession, setup):
    page = browser(setup["author"]).get(base(setup["party"]) + "new")
    form = page.forms["change-request"]
    form["invoice_channel"].force_value("pigeon")
    response = form.submit("save", status=400)
    assert "is not one of" in response.text
    assert count(dbsession) == 0


ALFA = {"bank_name": "AO Alfa-Bank", "bank_bic": "044525593", "bank_account": "40702810100000000099"}


def test_new_bank_details_are_kept_compact_and_only_what_changed_is_recorded(browser, dbsession, setup):
    ask(browser(setup["author"]), setup["party"], bank_name=ALFA["bank_name"], bank_bic=" 0445 25593 ",
        bank_account="4070 2810 1000 0000 0099", phone=PARTY_VALUES["phone"])
    assert only_request(dbsession).changes == ALFA


def test_a_swift_code_and_an_iban_of_one_country_are_taken(browser, dbsession, setup):
    ask(browser(setup["author"]), setup["party"], bank_bic="gibaczpx", bank_account="cz65 0800 0000 1920 0014 5399")
    assert only_request(dbsession).changes == {"bank_bic": "GIBACZPX", "bank_account": "CZ6508000000192000145399"}


def test_a_swift_code_and_an_iban_of_two_countries_are_refused(browser, dbsession, setup):
    response = ask(browser(setup["author"]), setup["party"], status=400, bank_bic="DEUTDEFF",
                   bank_account="CZ65 0800 0000 1920 0014 5399")
    assert "The IBAN is of an account in CZ but the SWIFT code of a bank in DE: check both." in response.text
    assert "Some values do not fit together." in response.text
    assert count(dbsession) == 0


def test_an_unchanged_bank_account_in_an_older_format_stays_as_it_is(browser, dbsession, setup):
    setup["party"].bank_account = "4070 2810 2000 0000 0001"  # as the accounting system sent it
    dbsession.flush()
    form = browser(setup["author"]).get(base(setup["party"]) + "new").forms["change-request"]
    assert form["bank_account"].value == "4070 2810 2000 0000 0001"
    form["bank_account"] = "40702810200000000001"  # the same account, only written without spaces
    form["phone"] = "+7 495 111-22-33"
    form.submit("save", status=303)
    assert only_request(dbsession).changes == {"phone": "+7 495 111-22-33"}


def test_the_invoice_email_may_be_emptied_but_e_mail_delivery_needs_an_address(browser, dbsession, setup):
    b = browser(setup["author"])
    ask(b, setup["party"], invoice_email="")
    assert only_request(dbsession).changes == {"invoice_email": None}
    other = PartyFactory(name="No Mail Co", **dict(PARTY_VALUES, email=None, invoice_email=None,
                                                  invoice_channel="post"))
    response = ask(browser(customer(other)), other, status=400, invoice_channel="email")
    assert "Invoices by e-mail need an address: enter the e-mail for invoices." in response.text
    assert count(dbsession) == 1


def test_an_unchanged_value_in_an_old_format_does_not_block_other_changes(browser, dbsession, setup):
    setup["party"].phone = "ask the secretary"  # as the accounting system sent it
    dbsession.flush()
    ask(browser(setup["author"]), setup["party"], email="new@party.test")
    assert only_request(dbsession).changes == {"email": "new@party.test"}


def test_author_edits_the_draft_then_submits_and_can_edit_no_more(browser, dbsession, setup):
    b = browser(setup["author"])
    ask(b, setup["party"], phone="+7 495 111-22-33")
    item = only_request(dbsession)
    url = base(setup["party"]) + f"{item.id}/"
    detail = b.get(url)
    assert detail.html.select_one(f'a[href$="/changes/{item.id}/edit"]') is not None
    form = b.get(url + "edit").forms["change-request"]
    assert form["phone"].value == "+7 495 111-22-33" and form["email"].value == PARTY_VALUES["email"]
    form["phone"] = PARTY_VALUES["phone"]  # back to today's value: no longer a change
    form["contact_person"] = "Anna Sidorova"
    form.submit("save", status=303)
    assert reload(dbsession, item).changes == {"contact_person": "Anna Sidorova"}
    page = act(b, url, "submit")
    assert "Submitted" in page.text
    assert reload(dbsession, item).state == "submitted"
    # Once submitted the edit page refuses, clearly and without a change.
    refused = b.get(url + "edit", status=303).follow()
    assert "Only a draft can be edited; this change request is now “Submitted”." in refused.text
    token = refused.forms[0]["csrf_token"].value
    b.post(url + "edit", {"csrf_token": token, "contact_person": "Someone Else", "save": "save"}, status=303)
    assert reload(dbsession, item).changes == {"contact_person": "Anna Sidorova"}
    assert action(b.get(url), "withdraw") is not None and action(b.get(url), "submit") is None


def test_a_stale_edit_is_refused(browser, dbsession, setup):
    b = browser(setup["author"])
    ask(b, setup["party"], phone="+7 495 111-22-33")
    item = only_request(dbsession)
    url = base(setup["party"]) + f"{item.id}/edit"
    first, second = b.get(url).forms["change-request"], b.get(url).forms["change-request"]
    first["contact_person"] = "First Tab"
    first.submit("save", status=303)
    second["contact_person"] = "Second Tab"
    page = second.submit("save", status=303).follow()
    assert "Someone else has changed this item meanwhile." in page.text
    assert reload(dbsession, item).changes["contact_person"] == "First Tab"


def test_author_withdraws_a_draft_and_a_submitted_request(browser, dbsession, setup):
    b = browser(setup["author"])
    for button in ("save", "submit"):
        ask(b, setup["party"], button=button, email=f"{button}@party.test")
    for item in dbsession.scalars(select(ChangeRequest)):
        page = act(b, base(setup["party"]) + f"{item.id}/", "withdraw")
        assert "Withdrawn" in page.text and action(page, "withdraw") is None
        assert reload(dbsession, item).state == "withdrawn"
    assert reload(dbsession, setup["party"]).email == PARTY_VALUES["email"]


def test_only_the_author_may_edit_submit_or_withdraw(browser, dbsession, setup):
    item = change_request(dbsession, setup["party"], setup["author"], {"email": "a@b.test"}, submit=False)
    url = base(setup["party"]) + f"{item.id}/"
    for user in ("colleague", "backoffice", "manager"):
        b = browser(setup[user])
        page = b.get(url)
        assert action(page, "submit") is None and action(page, "withdraw") is None
        assert page.html.select_one(f'a[href$="/changes/{item.id}/edit"]') is None
        b.get(url + "edit", status=403)
        token = page.forms[0]["csrf_token"].value
        b.post(url + "edit", {"csrf_token": token, "email": "forged@b.test", "save": "save"}, status=403)
        refused = b.post(url + "transition", {"csrf_token": token, "transition": "submit"}, status=303).follow()
        assert "You may not do this." in refused.text
    reload(dbsession, item)
    assert (item.state, item.changes) == ("draft", {"email": "a@b.test"})


def test_the_customer_sees_the_reason_of_a_rejection(browser, dbsession, setup):
    item = change_request(dbsession, setup["party"], setup["author"], {"bank_account": "40702810900000000099"})
    url = base(setup["party"]) + f"{item.id}/"
    clerk = browser(setup["backoffice"])
    form = action(clerk.get(url), "reject")
    form["comment"] = "   "
    assert "Please give a reason." in form.submit(status=303).follow().text
    assert reload(dbsession, item).state == "submitted"
    act(clerk, url, "reject", comment="The account belongs to another company.")
    reload(dbsession, item)
    assert (item.state, item.reason, item.decided_by_id) == ("rejected", "The account belongs to another company.",
                                                              setup["backoffice"].id)
    page = browser(setup["author"]).get(url)
    alert = page.html.select_one(".alert.rejection")
    assert "The request was rejected." in alert.text and "The account belongs to another company." in alert.text
    assert reload(dbsession, setup["party"]).bank_account == PARTY_VALUES["bank_account"]
    assert "Rejected" in browser(setup["author"]).get(base(setup["party"])).text


# --- the back office ----------------------------------------------------------------------------

@pytest.mark.parametrize("decider", ["backoffice", "manager"])
def test_approval_applies_the_values_in_the_same_request(browser, dbsession, setup, decider):
    changes = {"email": "new@party.test", "invoice_channel": "edi", "billing_address": "Moscow, Tverskaya 5"}
    item = change_request(dbsession, setup["party"], setup["author"], changes)
    page = act(browser(setup[decider]), base(setup["party"]) + f"{item.id}/", "approve")
    assert "Approved. The new values now apply to Changing Co." in page.text
    party = reload(dbsession, setup["party"])
    assert (party.email, party.invoice_channel, party.billing_address) == (
        "new@party.test", "edi", "Moscow, Tverskaya 5")
    assert (party.phone, party.contact_person) == (PARTY_VALUES["phone"], PARTY_VALUES["contact_person"])
    reload(dbsession, item)
    assert item.state == "applied" and item.decided_by_id == setup[decider].id and item.applied_at is not None
    assert history(dbsession, item)[-2:] == [("approve", setup[decider].id), ("apply", setup[decider].id)]
    assert action(page, "apply") is None  # nothing left half-done


def test_sent_bank_details_are_written_to_the_party_on_approval(browser, dbsession, setup):
    ask(browser(setup["author"]), setup["party"], button="submit", **ALFA)
    item = only_request(dbsession)
    assert item.state == "submitted" and item.changes == ALFA
    assert reload(dbsession, setup["party"]).bank_bic == PARTY_VALUES["bank_bic"]  # not before approval
    act(browser(setup["backoffice"]), base(setup["party"]) + f"{item.id}/", "approve")
    party = reload(dbsession, setup["party"])
    assert (party.bank_name, party.bank_bic, party.bank_account) == tuple(ALFA.values())
    assert party.phone == PARTY_VALUES["phone"] and reload(dbsession, item).state == "applied"


def test_the_second_approver_is_told_who_decided(browser, dbsession, setup):
    item = change_request(dbsession, setup["party"], setup["author"], {"phone": "+7 495 555-55-55"})
    url = base(setup["party"]) + f"{item.id}/"
    first, second = browser(setup["backoffice"]), browser(setup["backoffice2"])
    stale = action(second.get(url), "approve")
    act(first, url, "approve")
    page = stale.submit(status=303).follow()
    assert "This action is no longer possible: the item is now “Applied”." in page.text
    assert "Last change: Clerk" in page.text
    transitions = [t for t, _a in history(dbsession, item)]
    assert transitions.count("approve") == 1 and transitions.count("apply") == 1


def test_head_reads_but_cannot_decide(browser, dbsession, setup):
    item = change_request(dbsession, setup["party"], setup["author"], {"phone": "+7 495 555-55-55"})
    url = base(setup["party"]) + f"{item.id}/"
    b = browser(setup["head"])
    assert f"/p/{setup['party'].id}/changes/{item.id}/" in b.get("/backoffice/").text
    page = b.get(url)
    assert action(page, "approve") is None and action(page, "reject") is None
    token = page.forms[0]["csrf_token"].value
    refused = b.post(url + "transition", {"csrf_token": token, "transition": "approve"}, status=303).follow()
    assert "You may not do this." in refused.text
    assert reload(dbsession, item).state == "submitted"
    assert reload(dbsession, setup["party"]).phone == PARTY_VALUES["phone"]


def test_a_customer_cannot_approve_by_forging_the_post(browser, dbsession, setup):
    item = change_request(dbsession, setup["party"], setup["author"], {"phone": "+7 495 555-55-55"})
    url = base(setup["party"]) + f"{item.id}/"
    b = browser(setup["author"])
    token = b.get(url).forms[0]["csrf_token"].value
    for transition in ("approve", "apply"):
        page = b.post(url + "transition", {"csrf_token": token, "transition": transition}, status=303).follow()
        assert "You may not do this." in page.text or "no longer possible" in page.text
    assert reload(dbsession, item).state == "submitted"
    assert reload(dbsession, setup["party"]).phone == PARTY_VALUES["phone"]


def test_manager_of_another_party_gets_404_and_an_empty_queue(browser, dbsession, setup):
    item = change_request(dbsession, setup["party"], setup["author"], {"email": "new@party.test"})
    url = base(setup["party"]) + f"{item.id}/"
    b = browser(setup["manager_other"])
    for path in (url, url + "edit", base(setup["party"]), base(setup["party"]) + "export.xlsx"):
        assert "new@party.test" not in b.get(path, status=404).text
    token = b.get("/backoffice/").forms[0]["csrf_token"].value
    b.post(url + "transition", {"csrf_token": token, "transition": "approve"}, status=404)
    queue = b.get("/backoffice/")
    assert "Changing Co" not in queue.text and "No change request waits for a decision." in queue.text
    assert "Changing Co" not in b.get("/backoffice/export.xlsx").body.decode("latin-1")
    assert reload(dbsession, item).state == "submitted"
    assert "Changing Co" in browser(setup["manager"]).get("/backoffice/").text


def test_queue_lists_submitted_requests_oldest_first_with_filter_paging_and_export(browser, dbsession, setup):
    import io

    import openpyxl

    parties = [PartyFactory(name=f"Queue {n:02d}", **PARTY_VALUES) for n in range(52)]
    for n, party in enumerate(reversed(parties)):  # "Queue 51" submitted first
        change_request(dbsession, party, customer(party), {"phone": f"+7 812 000-00-{n:02d}"})
    change_request(dbsession, setup["party"], setup["author"], {"phone": "+7 495 999-99-99"}, submit=False)
    b = browser(setup["backoffice"])
    first = b.get("/backoffice/")
    names = [tr.select("td")[1].text for tr in first.html.select("table.list tbody tr")]
    assert names == [f"Queue {n:02d}" for n in range(51, 1, -1)]  # 50 on the first page, oldest first
    assert "Changing Co" not in first.text  # a draft is not for deciding
    second = b.get("/backoffice/?page=2")
    assert [tr.select("td")[1].text for tr in second.html.select("table.list tbody tr")] == ["Queue 01", "Queue 00"]
    filtered = b.get("/backoffice/?q=queue 0")
    assert len(filtered.html.select("table.list tbody tr")) == 10
    link = filtered.html.select_one("p.export a")["href"]
    book = openpyxl.load_workbook(io.BytesIO(b.get(link).body))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0][:3] == ["#", "Company", "Changes"]
    assert [r[1] for r in rows[1:]] == [f"Queue {n:02d}" for n in range(9, -1, -1)]
    assert rows[1][2] == "Phone"
    row_link = filtered.html.select_one("table.list tbody td a")["href"]
    assert b.get(row_link).status_int == 200
    assert b.get("/backoffice/?q=%25").html.select_one("table.list") is None  # LIKE wildcards are literal


@pytest.mark.parametrize("who,status", [("author", 403), ("colleague", 403), ("service", 403), (None, 303)])
def test_queue_is_for_deciders_and_the_head(app, testapp, browser, setup, who, status):
    b = browser(setup[who] if who in setup else staff(who)) if who else testapp
    response = b.get("/backoffice/", status=status)
    b.get("/backoffice/export.xlsx", status=status)
    if status == 303:
        assert "/login" in response.location


# --- lists and isolation ---------------------------------------------------------------------

def test_list_filters_sorts_pages_and_exports_the_same(browser, dbsession, setup):
    import io

    import openpyxl

    for n in range(3):
        change_request(dbsession, setup["party"], setup["author"], {"phone": f"+7 495 000-00-2{n}"}, submit=n != 1)
    b = browser(setup["colleague"])  # every member sees the party's requests
    listing = b.get(base(setup["party"]) + "?state=submitted&sort=id")
    ids = [a.text for a in listing.html.select("table.list tbody td:first-child a")]
    assert len(ids) == 2 and ids == sorted(ids, key=int)
    link = listing.html.select_one("p.export a")["href"]
    assert "state=submitted" in link and "sort=id" in link
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(b.get(link).body)).active.iter_rows()]
    assert [str(r[0]) for r in rows[1:]] == ids
    assert rows[1][1] == "Phone" and rows[1][2] == "Phone: +7 495 000-00-20" and rows[1][3] == "Submitted"
    assert "No change request matches the filter." in b.get(base(setup["party"]) + "?state=applied").text
    assert b.get(base(setup["party"]) + "?state=bogus&sort=nope&page=-3").status_int == 200
    empty = browser(setup["outsider"]).get(base(setup["other"]))
    assert "There are no change requests yet." in empty.text and empty.html.select_one("p.export") is None


def test_another_partys_customer_sees_and_does_nothing(browser, dbsession, setup):
    draft = change_request(dbsession, setup["other"], setup["outsider"], {"email": "draft@other.test"}, submit=False)
    submitted = change_request(dbsession, setup["other"], setup["outsider"], {"phone": "+7 843 111-11-11"})
    b = browser(setup["author"])
    own = base(setup["party"])
    theirs = base(setup["other"])
    urls = [theirs, theirs + "new", theirs + "export.xlsx"]
    for item in (draft, submitted):
        urls += [f"{theirs}{item.id}/", f"{theirs}{item.id}/edit", f"{own}{item.id}/", f"{own}{item.id}/edit"]
    for url in urls:
        text = b.get(url, status=404).body.decode("utf-8", "replace")
        for secret in (*(v for k, v in SECRET.items() if k != "invoice_channel"), "draft@other.test",
                       "+7 843 111-11-11", "Bystander Ltd"):
            assert secret not in text, (url, secret)
    token = b.get(own).forms[0]["csrf_token"].value
    for item in (draft, submitted):
        for url in (f"{theirs}{item.id}/", f"{own}{item.id}/"):
            for transition in ("submit", "withdraw", "approve", "reject"):
                b.post(url + "transition", {"csrf_token": token, "transition": transition, "comment": "x"},
                       status=404)
            b.post(url + "edit", {"csrf_token": token, "email": "x@y.test", "save": "save"}, status=404)
    assert (reload(dbsession, draft).state, reload(dbsession, submitted).state) == ("draft", "submitted")
    assert reload(dbsession, setup["other"]).email == SECRET["email"]
    own_list = b.get(own)
    assert "draft@other.test" not in own_list.text and "There are no change requests yet." in own_list.text


def test_a_member_whose_membership_ended_cannot_edit_his_old_draft(browser, dbsession, setup):
    from portal.parties.models import Membership

    item = change_request(dbsession, setup["party"], setup["author"], {"email": "a@b.test"}, submit=False)
    b = browser(setup["author"])
    url = base(setup["party"]) + f"{item.id}/"
    token = b.get(url).forms[0]["csrf_token"].value
    membership = dbsession.scalars(select(Membership).where(Membership.user_id == setup["author"].id)).one()
    membership.state = "revoked"
    dbsession.flush()
    assert PARTY_VALUES["email"] not in b.get(url + "edit", status=404).text
    b.post(url + "edit", {"csrf_token": token, "email": "late@b.test", "save": "save"}, status=404)
    assert reload(dbsession, item).changes == {"email": "a@b.test"}
    assert dbsession.get(Party, setup["party"].id).email == PARTY_VALUES["email"]
