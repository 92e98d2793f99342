"""Customer requests through HTTP: filing, routing, the staff path, the customer path, isolation."""

from datetime import timedelta

import pytest
import webtest
from sqlalchemy import func, select

from portal.attachments.models import Attachment
from portal.db.meta import utcnow
from portal.requests.models import CustomerRequest
from portal.workflows.models import Notice, WorkflowHistory
from tests.conftest import login
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(dbsession):
    group = StaffGroupFactory(name="Dispatch")
    rtype = RequestTypeFactory(code="general", names={"en": "General", "ru": "Общий"}, group_id=group.id,
                               default_priority="high", due_hours=10)
    party = PartyFactory(name="Requesting Co")
    other = PartyFactory(name="Bystander Ltd")
    return {
        "group": group, "type": rtype, "party": party, "other": other,
        "customer": customer(party), "outsider": customer(other),
        "dispatcher": staff("service", group=group, last_name="Dispatcher"),
    }


def file_request(testapp, party, rtype, subject="Meter is broken", body="Please send someone.", upload=None):
    page = testapp.get(f"/p/{party.id}/requests/new")
    form = page.forms["new-request"]
    form["type_id"] = str(rtype.id)
    form["subject"] = subject
    form["body"] = body
    if upload:
        form["upload"] = webtest.Upload(*upload)
    return form.submit("submit", status="*")


def act(testapp, url, transition, status=303, **fields):
    page = testapp.get(url)
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == transition)
    for name, value in fields.items():
        form[name] = value
    return form.submit(status=status)


def test_customer_files_a_request_routed_by_its_type(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    response = file_request(testapp, setup["party"], setup["type"])
    assert response.status_int == 303
    item = dbsession.scalars(select(CustomerRequest)).one()
    assert (item.state, item.priority, item.group_id) == ("new", "high", setup["group"].id)
    assert timedelta(hours=9) < item.due_at - utcnow() <= timedelta(hours=10)
    page = response.follow()
    assert "Your request #%d has been filed." % item.id in page.text
    assert "Meter is broken" in page.text and "created it" in page.text
    listing = testapp.get(f"/p/{setup['party'].id}/requests/")
    assert "Meter is broken" in listing.text


def test_form_errors_change_nothing(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    page = testapp.get(f"/p/{setup['party'].id}/requests/new")
    form = page.forms["new-request"]
    form["subject"] = "x" * 500
    response = form.submit("submit", status=400)
    assert "Required" in response.text and "Longer than maximum length 200" in response.text
    assert dbsession.scalar(select(func.count()).select_from(CustomerRequest)) == 0


def test_attachment_is_kept_and_downloadable_only_by_the_party(testapp, dbsession, setup, app):
    import webtest

    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"], upload=("scan.pdf", PDF))
    attachment = dbsession.scalars(select(Attachment)).one()
    url = f"/p/{setup['party'].id}/attachments/{attachment.id}"
    download = testapp.get(url)
    assert download.body == PDF and "attachment" in download.headers["Content-Disposition"]
    outsider = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(outsider, setup["outsider"].login)
    outsider.get(url, status=404)
    outsider.get(f"/p/{setup['other'].id}/attachments/{attachment.id}", status=404)


@pytest.mark.parametrize("name,content,message", [
    ("fake.pdf", b"MZ\x90\x00 this is an exe", "does not match its extension"),
    ("script.exe", b"MZ\x90\x00", "not accepted"),
    ("empty.pdf", b"", "The file is empty."),
])
def test_bad_attachments_are_refused_and_nothing_is_filed(testapp, dbsession, setup, name, content, message):
    login(testapp, setup["customer"].login)
    response = file_request(testapp, setup["party"], setup["type"], upload=(name, content))
    assert response.status_int == 400 and message in response.text
    assert dbsession.scalar(select(func.count()).select_from(CustomerRequest)) == 0
    assert dbsession.scalar(select(func.count()).select_from(Attachment)) == 0


def test_staff_and_customer_work_a_request_to_the_end(testapp, app, dbsession, setup):
    import webtest

    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{setup['party'].id}/requests/{item.id}/"
    # The customer sees no staff actions.
    assert "Start work" not in testapp.get(url).text
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, setup["dispatcher"].login)
    act(staff_app, url, "assign", assignee_id=str(setup["dispatcher"].id))
    act(staff_app, url, "start")
    act(staff_app, url, "ask_customer", comment="Which meter?")
    act(testapp, url, "answer", comment="The one in the basement.")
    act(staff_app, url, "resolve", comment="Replaced.")
    page = act(testapp, url, "confirm").follow()
    assert "Closed" in page.text
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(CustomerRequest, item.id).state == "closed"
    history = dbsession.scalars(select(WorkflowHistory.transition).where(WorkflowHistory.item_id == item.id)
                                .order_by(WorkflowHistory.id)).all()
    assert history == ["create", "assign", "start", "ask_customer", "answer", "resolve", "confirm"]
    # The customer heard of every staff move; the dispatcher of the customer's.
    customer_notices = dbsession.scalar(select(func.count()).select_from(Notice)
                                        .where(Notice.user_id == setup["customer"].id))
    assert customer_notices == 4  # assign, start, ask_customer, resolve
    notices = testapp.get("/account/notices")
    assert f"Request #{item.id}" in notices.text


def test_a_comment_is_required_where_declared(testapp, app, dbsession, setup):
    import webtest

    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{setup['party'].id}/requests/{item.id}/"
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, setup["dispatcher"].login)
    act(staff_app, url, "assign", assignee_id=str(setup["dispatcher"].id))
    act(staff_app, url, "start")
    page = staff_app.get(url)
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == "resolve")
    form["comment"] = "   "
    response = form.submit().follow()
    assert "Please give a reason." in response.text
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(CustomerRequest, item.id).state == "in_progress"


def test_stale_page_and_wrong_state_are_refused_clearly(testapp, app, dbsession, setup):
    import webtest

    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{setup['party'].id}/requests/{item.id}/"
    one = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    two = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(one, setup["dispatcher"].login)
    login(two, staff("service", last_name="Second").login)
    act(one, url, "assign", assignee_id=str(setup["dispatcher"].id))
    stale = two.get(url)  # both now look at "assigned"
    act(one, url, "start")
    form = next(f for f in stale.forms.values() if "transition" in f.fields and f["transition"].value == "start")
    page = form.submit().follow()
    assert "no longer possible" in page.text and "Dispatcher" in page.text
    history = dbsession.scalar(select(func.count()).select_from(WorkflowHistory)
                               .where(WorkflowHistory.transition == "start"))
    assert history == 1


def test_customer_cannot_take_staff_transitions_by_forging_the_post(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{setup['party'].id}/requests/{item.id}/"
    token = testapp.get(url).forms[0]["csrf_token"].value
    page = testapp.post(url + "transition", {"csrf_token": token, "transition": "assign",
                                              "assignee_id": str(setup["customer"].id), "version": "1"}).follow()
    assert "You may not do this." in page.text
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(CustomerRequest, item.id).state == "new"


def test_another_party_cannot_see_or_act(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"], subject="Secret subject")
    item = dbsession.scalars(select(CustomerRequest)).one()
    testapp.reset()
    login(testapp, setup["outsider"].login)
    party, other = setup["party"].id, setup["other"].id
    for url in (f"/p/{party}/requests/", f"/p/{party}/requests/{item.id}/", f"/p/{party}/requests/new",
                f"/p/{other}/requests/{item.id}/"):
        response = testapp.get(url, status=404)
        assert "Secret subject" not in response.text
    token = testapp.get(f"/p/{other}/requests/").forms[0]["csrf_token"].value
    testapp.post(f"/p/{other}/requests/{item.id}/transition", {"csrf_token": token, "transition": "confirm"},
                 status=404)
    assert "Secret subject" not in testapp.get(f"/p/{other}/requests/").text


def test_list_filters_sorts_and_pages(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    for n in range(3):
        file_request(testapp, setup["party"], setup["type"], subject=f"Subject {n}")
    listing = testapp.get(f"/p/{setup['party'].id}/requests/?sort=subject")
    subjects = [a.text for a in listing.html.select("table.list tbody td a")]
    assert subjects == ["Subject 0", "Subject 1", "Subject 2"]
    assert "No request matches" in testapp.get(f"/p/{setup['party'].id}/requests/?state=closed").text
    assert testapp.get(f"/p/{setup['party'].id}/requests/?state=bogus&type=abc&sort=x&page=-1").status_int == 200


def test_the_type_filter_and_each_row_name_the_type_in_the_users_language(testapp, dbsession, setup):
    meter = RequestTypeFactory(code="meter", names={"en": "Meter check"}, group_id=setup["group"].id)
    unnamed = RequestTypeFactory(code="zz-unnamed", names={}, group_id=setup["group"].id)
    party = setup["party"]
    person = customer(party, language="ru")
    login(testapp, person.login)
    file_request(testapp, party, setup["type"], subject="General one")
    file_request(testapp, party, meter, subject="Meter one")
    page = testapp.get(f"/p/{party.id}/requests/?type={meter.id}")
    options = [(o.get("value"), o.text, o.has_attr("selected")) for o in page.html.select("select[name=type] option")]
    # In the user's language, else in English, else the code; in the order of the codes; the chosen one kept.
    assert options[1:] == [(str(setup["type"].id), "Общий", False), (str(meter.id), "Meter check", True),
                           (str(unnamed.id), "zz-unnamed", False)]
    rows = [[td.text for td in tr.select("td")] for tr in page.html.select("table.list tbody tr")]
    assert [(row[1], row[2]) for row in rows] == [("Meter one", "Meter check")]


def test_no_request_types_gives_a_clear_empty_state(testapp, dbsession):
    party = PartyFactory()
    login(testapp, customer(party).login)
    page = testapp.get(f"/p/{party.id}/requests/new")
    assert "no request type is configured" in page.text


def test_opening_an_item_reads_its_notices_and_the_list_names_subject_and_party(testapp, app, dbsession, setup):
    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"], subject="Leaking pipe")
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{setup['party'].id}/requests/{item.id}/"
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, setup["dispatcher"].login)
    act(staff_app, url, "assign", assignee_id=str(setup["dispatcher"].id))
    listing = testapp.get("/account/notices")
    row = listing.html.select_one("tr.unread")
    assert row is not None and "Leaking pipe" in row.text and "Requesting Co" in row.text
    testapp.get(url)
    dbsession.flush()
    dbsession.expire_all()
    unread = dbsession.scalars(select(Notice).where(Notice.user_id == setup["customer"].id,
                                                    Notice.read_at.is_(None))).all()
    assert unread == []
    assert testapp.get("/account/notices").html.select_one("tr.unread") is None


def test_the_open_question_stands_above_the_answer_form_until_answered(testapp, app, dbsession, setup):
    import webtest

    login(testapp, setup["customer"].login)
    file_request(testapp, setup["party"], setup["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{setup['party'].id}/requests/{item.id}/"
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, setup["dispatcher"].login)
    act(staff_app, url, "assign", assignee_id=str(setup["dispatcher"].id))
    act(staff_app, url, "start")
    act(staff_app, url, "ask_customer", comment="Which meter <b>exactly</b>?")
    page = testapp.get(url)
    question = page.html.select_one("#open-question")
    assert question is not None and "Which meter <b>exactly</b>?" in question.get_text()  # escaped, as text
    answer_form = page.html.select_one('form input[name="transition"][value="answer"]')
    assert answer_form is not None
    assert page.text.index('id="open-question"') < page.text.index('value="answer"') < page.text.index("History")
    act(testapp, url, "answer", comment="The one in the basement.")
    assert 'id="open-question"' not in testapp.get(url).text
