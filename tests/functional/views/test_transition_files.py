"""A file sent with a transition: the answer to "waiting for you" carries the document staff asked
for, and staff may send one with asking or resolving. Checked as filing checks it; kept as a file of
the item, shown beside its comment in the history; downloaded only by those who may see the item."""
import dataclasses
import glob
import os
from types import SimpleNamespace

import pytest
import webtest
from sqlalchemy import func, select

from portal.attachments.models import Attachment
from portal.requests.models import CustomerRequest
from portal.tickets.models import ServiceTicket
from portal.workflows.models import WorkflowHistory
from tests.conftest import login
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff
from tests.factories.changes import PARTY_VALUES, change_request
from tests.factories.workflow_items import ServiceTicketFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_AS_PDF = ("contract.pdf", b"MZ\x90\x00\x03\x00 this program cannot be run in DOS mode")


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    """Uploads go to a folder of this test's own (small limit), so what is left there can be seen."""
    policy = dataclasses.replace(app.registry["upload_policy"], directory=str(tmp_path / "uploads"),
                                 max_bytes=4096)
    monkeypatch.setitem(app.registry, "upload_policy", policy)
    return tmp_path / "uploads"


@pytest.fixture
def world(app, testapp, dbsession, store):
    group = StaffGroupFactory(name="Documents")
    party = PartyFactory(name="Asking Co", **PARTY_VALUES)
    other = PartyFactory(name="Bystander Ltd")
    rtype = RequestTypeFactory(code="copies", names={"en": "Copies of documents", "ru": "Копии документов"},
                               group_id=group.id)
    w = SimpleNamespace(party=party, other=other, rtype=rtype, customer=customer(party, last_name="Customer"),
                        outsider=customer(other, last_name="Outsider"),
                        dispatcher=staff("service", group=group, last_name="Dispatcher"),
                        clerk=staff("backoffice", last_name="Clerk"))
    w.browser = lambda user: signed_in(app, testapp, user)
    return w


def signed_in(app, testapp, user):
    b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(b, user.login)
    return b


def action(page, transition):
    return next((f for f in page.forms.values()
                 if "transition" in f.fields and f["transition"].value == transition), None)


def act(b, url, transition, upload=None, **fields):
    form = action(b.get(url), transition)
    assert form is not None, f"no {transition} button on {url}"
    for name, value in fields.items():
        form[name] = value
    if upload is not None:
        form["attachment"] = webtest.Upload(*upload)
    return form.submit(status=303).follow()


def fresh(dbsession):
    dbsession.flush()
    dbsession.expire_all()
    return dbsession


def files(dbsession):
    return fresh(dbsession).scalars(select(Attachment).order_by(Attachment.id)).all()


def entry(dbsession, workflow, item_id, transition):
    return fresh(dbsession).scalars(select(WorkflowHistory).where(
        WorkflowHistory.workflow == workflow, WorkflowHistory.item_id == item_id,
        WorkflowHistory.transition == transition)).one()


def waiting_request(world, dbsession):
    """A request of the customer's that the dispatcher asked about: "waiting for customer"."""
    page = world.browser(world.customer).get(f"/p/{world.party.id}/requests/new")
    form = page.forms["new-request"]
    form["type_id"], form["subject"], form["body"] = str(world.rtype.id), "Copies of the contract", "Please."
    form.submit("submit", status=303)
    item = fresh(dbsession).scalars(select(CustomerRequest)).one()
    url = f"/p/{world.party.id}/requests/{item.id}/"
    dispatcher = world.browser(world.dispatcher)
    act(dispatcher, url, "assign", assignee_id=str(world.dispatcher.id))
    act(dispatcher, url, "start")
    act(dispatcher, url, "ask_customer", comment="Please send the signed power of attorney.",
        upload=("form-to-sign.pdf", PDF))
    return item, url, dispatcher


def leftovers(store):
    return glob.glob(os.path.join(store, ".upload-*"))


def test_the_customer_answers_with_the_file_staff_asked_for(world, dbsession, store):
    item, url, dispatcher = waiting_request(world, dbsession)
    customer_app = world.browser(world.customer)
    page = customer_app.get(url)
    # The question comes with the form staff sent to be signed; the answer form takes a file.
    assert "form-to-sign.pdf" in page.html.select_one("#open-question").text
    answer = action(page, "answer")
    assert answer.enctype == "multipart/form-data" and "attachment" in answer.fields
    page = act(customer_app, url, "answer", comment="Here it is, signed.", upload=("signed.pdf", PDF))
    assert "In progress" in page.text
    asked, answered = files(dbsession)
    assert (asked.filename, asked.uploaded_by_id) == ("form-to-sign.pdf", world.dispatcher.id)
    assert (answered.filename, answered.uploaded_by_id) == ("signed.pdf", world.customer.id)
    assert (answered.party_id, answered.owner_type, answered.owner_id) == (world.party.id, "request", item.id)
    assert asked.history_id == entry(dbsession, "request", item.id, "ask_customer").id
    assert answered.history_id == entry(dbsession, "request", item.id, "answer").id
    # Listed among the item's files and beside its comment in the history, for both sides.
    for b in (customer_app, dispatcher):
        page = b.get(url)
        assert {a.text for a in page.html.select("section.attachments a")} == {"form-to-sign.pdf", "signed.pdf"}
        history = page.html.select("section.timeline li")
        said = next(li for li in history if "Here it is, signed." in li.text)
        assert [a.text for a in said.select("ul.files a")] == ["signed.pdf"]
        download = b.get(said.select_one("ul.files a")["href"])
        assert download.body == PDF
    assert not leftovers(store)


def test_a_customer_of_another_party_cannot_download_a_transition_file(world, dbsession):
    waiting_request(world, dbsession)
    (asked,) = files(dbsession)
    outsider = world.browser(world.outsider)
    outsider.get(f"/p/{world.party.id}/attachments/{asked.id}", status=404)
    outsider.get(f"/p/{world.other.id}/attachments/{asked.id}", status=404)


@pytest.mark.parametrize("upload,message", [
    (EXE_AS_PDF, "does not match its extension"),
    (("setup.exe", b"MZ\x90\x00"), "Files of this type are not accepted"),
    (("huge.pdf", PDF + b"0" * 5000), "The file is larger than the limit of 4 KB"),
    (("empty.pdf", b""), "The file is empty."),
])
def test_a_bad_file_refuses_the_answer_and_keeps_nothing(world, dbsession, store, upload, message):
    item, url, _dispatcher = waiting_request(world, dbsession)
    before = len(files(dbsession))
    customer_app = world.browser(world.customer)
    page = act(customer_app, url, "answer", comment="Here it is.", upload=upload)
    assert message in page.text
    assert fresh(dbsession).get(CustomerRequest, item.id).state == "waiting"
    assert len(files(dbsession)) == before
    assert fresh(dbsession).scalar(select(func.count()).select_from(WorkflowHistory).where(
        WorkflowHistory.item_id == item.id, WorkflowHistory.transition == "answer")) == 0
    assert not leftovers(store)


def test_a_refused_transition_keeps_no_file(world, dbsession, store):
    item, url, dispatcher = waiting_request(world, dbsession)
    stale = world.browser(world.customer)
    form = action(stale.get(url), "answer")
    act(world.browser(world.customer), url, "answer", comment="First answer.")
    form["comment"] = "Second answer, from a page opened before."
    form["attachment"] = webtest.Upload("late.pdf", PDF)
    page = form.submit(status=303).follow()
    assert "no longer possible" in page.text
    assert [a.filename for a in files(dbsession)] == ["form-to-sign.pdf"]
    assert not leftovers(store)


def test_a_file_with_an_action_that_takes_none_is_refused(world, dbsession, store):
    login_app = world.browser(world.customer)
    page = login_app.get(f"/p/{world.party.id}/requests/new")
    form = page.forms["new-request"]
    form["type_id"], form["subject"], form["body"] = str(world.rtype.id), "Copies", "Please."
    form.submit("submit", status=303)
    item = fresh(dbsession).scalars(select(CustomerRequest)).one()
    url = f"/p/{world.party.id}/requests/{item.id}/"
    dispatcher = world.browser(world.dispatcher)
    assign = action(dispatcher.get(url), "assign")
    assert "attachment" not in assign.fields and assign.enctype != "multipart/form-data"
    fields = dict(assign.submit_fields())
    fields["assignee_id"] = str(world.dispatcher.id)
    response = dispatcher.post(url + "transition", fields, upload_files=[("attachment", "x.pdf", PDF)],
                               status=303).follow()
    assert "This action takes no file." in response.text
    assert fresh(dbsession).get(CustomerRequest, item.id).state == "new" and files(dbsession) == []


def test_staff_resolve_a_ticket_with_a_report(world, dbsession):
    ticket = ServiceTicketFactory(party=world.party, author_id=world.customer.id, state="in_progress",
                                  assignee_id=world.dispatcher.id)
    url = f"/p/{world.party.id}/tickets/{ticket.id}/"
    act(world.browser(world.dispatcher), url, "resolve", comment="Replaced the valve.",
        upload=("service-report.pdf", PDF))
    assert fresh(dbsession).get(ServiceTicket, ticket.id).state == "resolved"
    (report,) = files(dbsession)
    assert (report.owner_type, report.owner_id) == ("service_ticket", ticket.id)
    assert report.history_id == entry(dbsession, "service_ticket", ticket.id, "resolve").id
    page = world.browser(world.customer).get(url)
    assert "service-report.pdf" in page.html.select_one("section.attachments").text


def test_a_rejection_comes_with_its_file_on_the_change_request(world, dbsession):
    item = change_request(dbsession, world.party, world.customer, {"phone": "+7 495 111-22-33"})
    url = f"/p/{world.party.id}/changes/{item.id}/"
    act(world.browser(world.clerk), url, "reject", comment="See the rules attached.", upload=("rules.pdf", PDF))
    (rules,) = files(dbsession)
    assert rules.history_id == entry(dbsession, "change_request", item.id, "reject").id
    customer_app = world.browser(world.customer)
    link = customer_app.get(url).html.select_one("section.timeline ul.files a")
    assert link.text == "rules.pdf"
    assert customer_app.get(link["href"]).body == PDF
    world.browser(world.outsider).get(link["href"], status=404)
