"""Messages through HTTP: threads between a party and staff, receipts, delivered and read, counters, isolation."""
import dataclasses
import io
from types import SimpleNamespace

import openpyxl
import pytest
import webtest
from sqlalchemy import func, select

from portal.attachments.models import Attachment
from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.messages.services import post_message
from portal.parties.models import Membership
from portal.workflows.models import WorkflowHistory
from tests.conftest import login, statements
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories.messages import thread as make_thread
from tests.factories.messages import workflow_service

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(dbsession):
    party = PartyFactory(name="Talking Co")
    other = PartyFactory(name="Bystander Ltd")
    manager = staff("manager", last_name="Manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    return SimpleNamespace(
        party=party, other=other, manager=manager,
        customer=customer(party, last_name="Customer"),
        colleague=customer(party, last_name="Colleague"),
        outsider=customer(other, last_name="Outsider"),
        service=staff("service", last_name="Dispatcher"),
        head=staff("head", last_name="Head"),
    )


def browser(app, testapp, user):
    """Another person's browser on the same app and test transaction, logged in as ``user``."""
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    return other


def start(testapp, party, subject="Invoice question", body="Why is it higher?", upload=None):
    form = testapp.get(f"/p/{party.id}/messages/new").forms["new-thread"]
    form["subject"] = subject
    form["body"] = body
    if upload:
        form["upload"] = webtest.Upload(*upload)
    return form.submit("submit", status="*")


def reply(testapp, url, body="Here is the answer.", upload=None):
    form = testapp.get(url).forms["reply"]
    form["body"] = body
    if upload:
        form["upload"] = webtest.Upload(*upload)
    return form.submit("submit", status="*")


def counter(page, kind="messages") -> int:
    """The unread counter in the page's header (0 when none is shown)."""
    badge = page.html.select_one(f"header a.unread-{kind} .counter")
    return int(badge.text) if badge is not None else 0


def fresh(dbsession):
    """Receipts and states are stamped in bulk, past the session: read them again."""
    dbsession.flush()
    dbsession.expire_all()
    return dbsession


def receipts(dbsession, message) -> dict:
    rows = fresh(dbsession).scalars(select(MessageReceipt).where(MessageReceipt.message_id == message.id)).all()
    return {r.user_id: (r.delivered_at is not None, r.read_at is not None) for r in rows}


def history(dbsession, message) -> list:
    return fresh(dbsession).execute(
        select(WorkflowHistory.transition, WorkflowHistory.actor_id)
        .where(WorkflowHistory.workflow == "message", WorkflowHistory.item_id == message.id)
        .order_by(WorkflowHistory.id)
    ).all()


def state(dbsession, message) -> str:
    return fresh(dbsession).get(Message, message.id).state


def count(dbsession, model) -> int:
    return fresh(dbsession).scalar(select(func.count()).select_from(model))


def thread_url(party, thread):
    return f"/p/{party.id}/messages/{thread.id}/"


# --- the customer's path and the staff's ----------------------------------------------------
def test_customer_starts_a_thread_that_its_manager_gets_and_reads(app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    response = start(testapp, world.party)
    assert response.status_int == 303
    thread = dbsession.scalars(select(MessageThread)).one()
    message = dbsession.scalars(select(Message)).one()
    assert (thread.party_id, thread.subject, thread.created_by_id) == (world.party.id, "Invoice question",
                                                                        world.customer.id)
    assert (message.state, message.from_staff, message.author_id) == ("sent", False, world.customer.id)
    # The party has an account manager: the message is routed to them, not to every clerk.
    assert receipts(dbsession, message) == {world.manager.id: (False, False)}
    page = response.follow()
    assert "Your message has been sent." in page.text and "Why is it higher?" in page.text
    # Nothing the author views moves their own message.
    testapp.get(f"/p/{world.party.id}/messages/")
    testapp.get(thread_url(world.party, thread))
    assert state(dbsession, message) == "sent"

    manager = browser(app, testapp, world.manager)
    listing = manager.get(f"/p/{world.party.id}/messages/")
    row = listing.html.select_one("table.threads tbody tr")
    assert "unread" in row["class"] and "Invoice question" in row.text
    assert counter(listing) == 1
    assert state(dbsession, message) == "delivered"
    assert receipts(dbsession, message) == {world.manager.id: (True, False)}
    opened = manager.get(thread_url(world.party, thread))
    assert "Why is it higher?" in opened.text and counter(opened) == 0
    assert state(dbsession, message) == "read"
    assert receipts(dbsession, message) == {world.manager.id: (True, True)}
    assert history(dbsession, message) == [("create", world.customer.id), ("deliver", world.manager.id),
                                           ("read", world.manager.id)]
    assert manager.get(f"/p/{world.party.id}/messages/").html.select_one("tr.unread") is None

    # Other service staff see the thread but were not its recipients: nothing is unread for them.
    clerk = browser(app, testapp, world.service)
    page = clerk.get(f"/p/{world.party.id}/messages/")
    assert "Invoice question" in page.text and page.html.select_one("tr.unread") is None and counter(page) == 0


def test_a_staff_reply_reaches_every_active_member_once_per_message(app, testapp, dbsession, world):
    revoked = customer(world.party, last_name="Revoked")
    dbsession.execute(Membership.__table__.update().where(Membership.user_id == revoked.id).values(state="revoked"))
    blocked = customer(world.party, last_name="Blocked", state="blocked")
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False)
    manager = browser(app, testapp, world.manager)
    assert reply(manager, thread_url(world.party, thread)).status_int == 303
    answer = dbsession.scalars(select(Message).where(Message.from_staff.is_(True))).one()
    assert answer.author_id == world.manager.id
    assert set(receipts(dbsession, answer)) == {world.customer.id, world.colleague.id}
    assert revoked.id not in receipts(dbsession, answer) and blocked.id not in receipts(dbsession, answer)

    login(testapp, world.customer.login)
    colleague = browser(app, testapp, world.colleague)
    assert counter(testapp.get(f"/p/{world.party.id}/")) == 1
    assert counter(colleague.get("/account/")) == 1
    # Two recipients were shown it: one "deliver", by the first.
    assert history(dbsession, answer) == [("create", world.manager.id), ("deliver", world.customer.id)]
    assert receipts(dbsession, answer) == {world.customer.id: (True, False), world.colleague.id: (True, False)}

    page = testapp.get(thread_url(world.party, thread))
    assert "Here is the answer." in page.text and counter(page) == 0
    assert page.html.select_one(f"#m{answer.id}.unread") is not None  # what was new is marked so, once
    assert testapp.get(thread_url(world.party, thread)).html.select_one(f"#m{answer.id}.unread") is None
    assert counter(colleague.get("/account/")) == 1  # the colleague has still not opened it
    colleague.get(thread_url(world.party, thread))
    assert counter(colleague.get("/account/")) == 0
    assert receipts(dbsession, answer) == {world.customer.id: (True, True), world.colleague.id: (True, True)}
    assert [t for t, _ in history(dbsession, answer)] == ["create", "deliver", "read"]
    # The manager's own reply stays unread in nobody's eyes but the party's.
    assert counter(manager.get("/account/")) == 0


def test_staff_see_who_got_and_opened_each_message_customers_only_their_own_states(app, testapp, dbsession,
                                                                                      world):
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False, body="From the party")
    manager = browser(app, testapp, world.manager)
    manager.get("/account/")  # delivered
    clerk = browser(app, testapp, world.service)
    page = clerk.get(thread_url(world.party, thread))
    [cells] = [[td.text for td in tr.select("td")] for tr in page.html.select("table.receipts tbody tr")]
    assert cells[0] == world.manager.full_name and cells[1] != "—" and cells[2] == "—"
    assert page.html.select_one(".message .badge").text == "Delivered"
    manager.get(thread_url(world.party, thread))  # read
    reply(manager, thread_url(world.party, thread), body="From the company")
    page = clerk.get(thread_url(world.party, thread))
    rows = [[td.text for td in tr.select("td")] for tr in page.html.select("table.receipts tbody tr")]
    assert rows[0][0] == world.manager.full_name and "—" not in rows[0]
    assert sorted(r[0] for r in rows[1:]) == sorted([world.customer.full_name, world.colleague.full_name])

    login(testapp, world.customer.login)
    mine = testapp.get(thread_url(world.party, thread))
    assert mine.html.select("table.receipts") == []
    articles = mine.html.select("article.message")
    assert articles[0].select_one(".badge").text == "Read"  # the party's own message: it sees it was read
    assert articles[1].select_one(".badge") is None  # a staff message: no state, no receipts
    assert "From the company" in articles[1].text


def test_without_a_manager_the_answering_staff_receive_then_those_who_answered(app, testapp, dbsession, world):
    party = PartyFactory(name="Unmanaged Ltd")
    author = customer(party)
    backoffice = staff("backoffice", last_name="Clerk")
    staff("backoffice", last_name="Blocked clerk", state="blocked")
    staff("admin", last_name="Admin")
    login(testapp, author.login)
    start(testapp, party)
    first = dbsession.scalars(select(Message).where(Message.party_id == party.id)).one()
    assert set(receipts(dbsession, first)) == {world.service.id, backoffice.id}  # not head, admin, blocked
    thread = first.thread
    clerk = browser(app, testapp, world.service)
    reply(clerk, thread_url(party, thread))
    reply(testapp, thread_url(party, thread), body="Thanks, one more thing.")
    last = dbsession.scalars(select(Message).where(Message.party_id == party.id).order_by(Message.id.desc())).first()
    assert last.body == "Thanks, one more thing."
    assert set(receipts(dbsession, last)) == {world.service.id}


def test_staff_start_a_thread_and_read_only_staff_cannot_write(app, testapp, dbsession, world):
    clerk = browser(app, testapp, world.service)
    assert start(clerk, world.party, subject="Planned outage").status_int == 303
    message = dbsession.scalars(select(Message)).one()
    assert message.from_staff and set(receipts(dbsession, message)) == {world.customer.id, world.colleague.id}

    login(testapp, world.head.login)
    listing = testapp.get(f"/p/{world.party.id}/messages/")
    assert "Planned outage" in listing.text and "New message" not in listing.text
    page = testapp.get(thread_url(world.party, message.thread))
    assert "reply" not in page.forms
    token = page.forms[0]["csrf_token"].value
    testapp.get(f"/p/{world.party.id}/messages/new", status=403)
    testapp.post(f"/p/{world.party.id}/messages/{message.thread_id}/reply",
                 {"csrf_token": token, "body": "Head here"}, status=403)
    assert count(dbsession, Message) == 1
    assert state(dbsession, message) == "sent"  # the head is no recipient: reading it moves nothing


# --- attachments ----------------------------------------------------------------------------
def test_an_attached_document_is_kept_linked_and_downloadable_only_by_the_party(app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    start(testapp, world.party, upload=("scan.pdf", PDF))
    message = dbsession.scalars(select(Message)).one()
    attachment = dbsession.scalars(select(Attachment)).one()
    assert (attachment.owner_type, attachment.owner_id, attachment.party_id) == ("message", message.id,
                                                                                 world.party.id)
    url = f"/p/{world.party.id}/attachments/{attachment.id}"
    manager = browser(app, testapp, world.manager)
    page = manager.get(thread_url(world.party, message.thread))
    link = page.html.select_one(f"#m{message.id} ul.files a")
    assert link.text == "scan.pdf" and link["href"].endswith(url)
    assert manager.get(url).body == PDF
    assert reply(manager, thread_url(world.party, message.thread), upload=("notes.txt", b"plain text")).status_int == 303
    answer = dbsession.scalars(select(Message).where(Message.from_staff.is_(True))).one()
    assert [a.filename for a in dbsession.scalars(select(Attachment).where(Attachment.owner_id == answer.id))] == [
        "notes.txt"]
    outsider = browser(app, testapp, world.outsider)
    outsider.get(url, status=404)
    outsider.get(f"/p/{world.other.id}/attachments/{attachment.id}", status=404)


@pytest.mark.parametrize("name,content,reason", [
    ("fake.pdf", b"MZ\x90\x00 this is an exe", "does not match its extension"),
    ("report.exe", b"MZ\x90\x00", "not accepted"),
    ("huge.pdf", PDF + b"0" * 4096, "The file is larger than"),
])
def test_lying_forbidden_or_oversized_attachments_are_refused_and_nothing_is_sent(
        app, testapp, dbsession, world, monkeypatch, name, content, reason):
    policy = app.registry["upload_policy"]
    monkeypatch.setitem(app.registry, "upload_policy", dataclasses.replace(policy, max_bytes=2048))
    login(testapp, world.customer.login)
    response = start(testapp, world.party, upload=(name, content))
    assert response.status_int == 400 and reason in response.text
    assert (count(dbsession, MessageThread), count(dbsession, Message), count(dbsession, Attachment)) == (0, 0, 0)
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False)
    response = reply(testapp, thread_url(world.party, thread), upload=(name, content))
    assert response.status_int == 400 and reason in response.text and "reply" in response.forms
    assert (count(dbsession, Message), count(dbsession, Attachment)) == (1, 0)


# --- bad input and forged requests -------------------------------------------------------
@pytest.mark.parametrize("subject,body,error", [
    ("Fine subject", "x" * 5001, "Longer than maximum length 5000"),
    ("x" * 201, "Fine text", "Longer than maximum length 200"),
    ("Fine subject", "   ", "Required"),
    ("", "Fine text", "Required"),
])
def test_empty_or_overlong_fields_are_refused_and_nothing_is_sent(testapp, dbsession, world, subject, body, error):
    login(testapp, world.customer.login)
    response = start(testapp, world.party, subject=subject, body=body)
    assert response.status_int == 400 and error in response.text
    assert count(dbsession, MessageThread) == 0 and count(dbsession, Message) == 0


def test_an_overlong_reply_is_refused_on_the_thread_page(testapp, dbsession, world):
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False, body="Original text")
    login(testapp, world.customer.login)
    response = reply(testapp, thread_url(world.party, thread), body="y" * 5001)
    assert response.status_int == 400
    assert "Longer than maximum length 5000" in response.text and "Original text" in response.text
    assert count(dbsession, Message) == 1


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_post_needs_the_csrf_token(testapp, dbsession, world, token):
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False)
    login(testapp, world.customer.login)
    fields = {} if token is None else {"csrf_token": token}
    for url, data in ((f"/p/{world.party.id}/messages/new", {"subject": "Forged", "body": "Forged"}),
                      (thread_url(world.party, thread) + "reply", {"body": "Forged"})):
        response = testapp.post(url, dict(data, **fields), status=400)
        assert "The form has expired" in response.text
    assert count(dbsession, MessageThread) == 1 and count(dbsession, Message) == 1


# --- isolation ------------------------------------------------------------------------------
def test_another_partys_customer_gets_404_everywhere_and_counts_nothing(app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    start(testapp, world.party, subject="Secret subject", upload=("scan.pdf", PDF))
    thread = dbsession.scalars(select(MessageThread)).one()
    attachment = dbsession.scalars(select(Attachment)).one()
    manager = browser(app, testapp, world.manager)
    reply(manager, thread_url(world.party, thread), body="Secret answer")

    outsider = browser(app, testapp, world.outsider)
    mine, theirs = world.other.id, world.party.id
    for url in (f"/p/{theirs}/messages/", f"/p/{theirs}/messages/new", f"/p/{theirs}/messages/export.xlsx",
                f"/p/{theirs}/messages/{thread.id}/", f"/p/{theirs}/attachments/{attachment.id}",
                f"/p/{mine}/messages/{thread.id}/", f"/p/{mine}/attachments/{attachment.id}"):
        response = outsider.get(url, status=404)
        assert "Secret" not in response.text
    own = outsider.get(f"/p/{mine}/messages/")
    assert "Secret" not in own.text and "There are no messages yet." in own.text and counter(own) == 0
    token = own.forms[0]["csrf_token"].value
    for url in (f"/p/{theirs}/messages/{thread.id}/reply", f"/p/{mine}/messages/{thread.id}/reply"):
        outsider.post(url, {"csrf_token": token, "body": "Intrusion"}, status=404)
    outsider.post(f"/p/{theirs}/messages/new", {"csrf_token": token, "subject": "Intrusion", "body": "x"},
                  status=404)
    assert count(dbsession, Message) == 2
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(
        outsider.get(f"/p/{mine}/messages/export.xlsx").body)).active.iter_rows()]
    assert len(rows) == 1  # the header only


def test_the_counter_forgets_a_party_the_user_no_longer_belongs_to(app, testapp, dbsession, world):
    holding = customer(world.party, last_name="Holding")
    dbsession.add(Membership(user_id=holding.id, party_id=world.other.id, state="active"))
    make_thread(dbsession, world.party, world.manager, from_staff=True, subject="For Talking Co")
    make_thread(dbsession, world.other, world.service, from_staff=True, subject="For Bystander")
    talking = dbsession.scalars(select(Message).where(Message.party_id == world.party.id)).one()
    membership = Membership.__table__.update().where(Membership.user_id == holding.id,
                                                     Membership.party_id == world.party.id)
    dbsession.execute(membership.values(state="revoked"))
    login(testapp, holding.login)
    page = testapp.get("/account/")
    assert counter(page) == 1
    assert page.html.select_one("header a.unread-messages")["href"].endswith(f"/p/{world.other.id}/messages/")
    # Shown nothing of that party any more, so nothing of it was delivered to them.
    assert receipts(dbsession, talking)[holding.id] == (False, False)
    assert state(dbsession, talking) == "sent"
    dbsession.execute(membership.values(state="active"))
    assert counter(testapp.get("/account/")) == 2
    assert receipts(dbsession, talking)[holding.id] == (True, False)


# --- the header ------------------------------------------------------------------------------
def test_header_counters_link_to_the_messages_and_notices_and_go_down(app, testapp, dbsession, world):
    thread = make_thread(dbsession, world.party, world.manager, from_staff=True, replies=2)
    login(testapp, world.customer.login)
    page = testapp.get("/account/")
    assert counter(page) == 3 and counter(page, "notices") == 0
    link = page.html.select_one("header a.unread-messages")
    assert link["href"].endswith(f"/p/{world.party.id}/messages/")
    assert page.html.select_one("header a.unread-notices")["href"].endswith("/account/notices")
    testapp.get(thread_url(world.party, thread))
    assert counter(testapp.get("/account/")) == 0
    # Anonymous pages run no counter at all.
    assert webtest.TestApp(app, extra_environ=dict(testapp.extra_environ)).get("/login").html.select(
        "header a.unread-messages") == []


def test_no_n_plus_one_on_a_thread_of_200_messages(app, testapp, dbsession, world):
    thread = make_thread(dbsession, world.party, world.manager, from_staff=True, replies=199)
    login(testapp, world.customer.login)
    with statements(dbsession) as delivered:
        page = testapp.get(f"/p/{world.party.id}/")
    assert counter(page) == 200
    with statements(dbsession) as read:
        page = testapp.get(thread_url(world.party, thread))
    assert len(page.html.select("article.message")) == 200 and counter(page) == 0
    clerk = browser(app, testapp, world.service)
    with statements(dbsession) as staff_view:
        page = clerk.get(thread_url(world.party, thread))
    assert len(page.html.select("table.receipts tbody tr")) == 400
    assert len(delivered) < 30 and len(read) < 30 and len(staff_view) < 30, (delivered, read, staff_view)
    states = fresh(dbsession).execute(select(Message.state, func.count()).group_by(Message.state)).all()
    assert states == [("read", 200)]
    moves = dbsession.execute(select(WorkflowHistory.transition, func.count())
                              .where(WorkflowHistory.workflow == "message")
                              .group_by(WorkflowHistory.transition).order_by(WorkflowHistory.transition)).all()
    assert moves == [("create", 200), ("deliver", 200), ("read", 200)]


# --- the list ------------------------------------------------------------------------------
def test_list_orders_by_last_message_filters_unread_searches_pages_and_exports(app, testapp, dbsession, world):
    old = make_thread(dbsession, world.party, world.manager, from_staff=True, subject="Old news")
    for n in range(55):
        make_thread(dbsession, world.party, world.customer, from_staff=False, subject=f"Filler {n:02d}")
    # The customer answers without opening the thread (as from another device): still unread for them.
    post_message(workflow_service(dbsession, world.customer.id), old, author_id=world.customer.id,
                 from_staff=False, body="Bumping it up")
    login(testapp, world.customer.login)
    base = f"/p/{world.party.id}/messages/"
    page = testapp.get(base)
    subjects = [a.text for a in page.html.select("table.threads tbody td:first-child a")]
    assert subjects[0] == "Old news" and len(subjects) == 50  # newest activity first, one page
    assert [tr.select_one("a").text for tr in page.html.select("tr.unread")] == ["Old news"]
    assert "Filler 00" in testapp.get(base + "?page=2").text
    unread = testapp.get(base + "?unread=1")
    assert [a.text for a in unread.html.select("table.threads tbody td:first-child a")] == ["Old news"]
    assert [a.text for a in testapp.get(base + "?q=filler+05").html.select("table.threads tbody td:first-child a")] \
        == ["Filler 05"]
    assert "No conversation matches the filter." in testapp.get(base + "?q=nothing-like-it").text
    assert testapp.get(base + "?sort=bogus&page=-3&unread=x").status_int == 200

    export = testapp.get(unread.html.select_one("p.export a")["href"])
    assert export.content_type == XLSX
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(export.body)).active.iter_rows()]
    assert rows[0] == ["#", "Subject", "Started by", "Started (UTC)", "Last message (UTC)", "Messages", "Unread"]
    assert rows[1][:3] == [old.id, "Old news", world.manager.full_name] and rows[1][5:] == [2, 1]
    assert len(rows) == 2
    everything = testapp.get(base + "export.xlsx?sort=subject")
    all_rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(everything.body)).active.iter_rows()]
    assert len(all_rows) == 57 and all_rows[1][1] == "Filler 00" and all_rows[-1][1] == "Old news"


def test_staff_may_not_start_a_thread_on_a_party_out_of_their_reach(testapp, dbsession, world):
    login(testapp, world.manager.login)
    assert testapp.get(f"/p/{world.other.id}/messages/new", status="*").status_int in (403, 404)
    from portal.messages.services import ThreadRefused, start_thread
    with pytest.raises(ThreadRefused):
        start_thread(workflow_service(dbsession, world.manager.id), party_id=world.other.id,
                     author_id=world.manager.id, from_staff=True, subject="Hello", body="Text")
    assert dbsession.scalars(select(MessageThread).where(MessageThread.party_id == world.other.id)).all() == []
