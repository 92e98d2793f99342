"""Messages: a party's threads, starting one, a thread with its messages and receipts, replying;
``/messages/``, the threads of every party the user may see.

Who receives what, and when a message counts as delivered or read, is decided
in services.py (inbox.py reads across parties); these views only show it and
take the forms in. Opening a thread (GET) is what reads it.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.i18n import _, translate
from portal.messages import inbox
from portal.messages import services as service
from portal.messages.models import MessageThread
from portal.messages.resources import InboxArea, ThreadResource, ThreadsContainer
from portal.messages.schemas import NewThreadSchema, ReplySchema
from portal.messages.workflow import MESSAGE
from portal.parties.models import Party
from portal.parties.services import visible_party_ids
from portal.security.permissions import Permission
from portal.security.roles import sees_every_party
from portal.views.forms import FormView
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.workflow import AttachmentLink
from portal.views.xlsx import Column
from portal.workflows.kinds import item_path
from portal.workflows.services import IWorkflowService


def for_company(request, party) -> bool:
    """True when the user acts for the company here (staff), False when for the party (a member)."""
    return party.id not in request.identity.party_ids


# --- the list ---------------------------------------------------------------------------
def unread_by_me(request, value):
    """The ``?unread=1`` filter: threads where this user has something unread."""
    return MessageThread.id.in_(service.unread_threads(request.authenticated_userid))


@view_config(context=ThreadsContainer, name="", attr="page", permission=Permission.MessagesView,
             request_method=("GET", "HEAD"), renderer="portal:messages/templates/list.pt")
@view_config(context=ThreadsContainer, name="export.xlsx", attr="export", permission=Permission.MessagesView,
             request_method=("GET", "HEAD"))
class ThreadList(ListView):
    """The party's threads, newest activity first, searched by subject, optionally only the unread ones;
    each with how many messages it holds and how many this user has not read (the export too)."""

    spec = ListSpec(
        columns=(
            Column("#", "id", kind="number", width=8),
            Column(_("Subject"), "subject", width=50),
            Column(_("Started by"), service.person_name, width=28),
            Column(_("Started"), "created_at", kind="datetime"),
            Column(_("Last message"), "last_message_at", kind="datetime"),
            Column(_("Messages"), "messages", kind="number", width=10),
            Column(_("Unread"), "unread", kind="number", width=10),
        ),
        sorts={
            "last": MessageThread.last_message_at,
            "created": MessageThread.created_at,
            "subject": MessageThread.subject,
            "id": MessageThread.id,
        },
        default_sort="-last", tiebreak=MessageThread.id.desc(),
        filters={"unread": (unread_by_me, {"1"})},
        search=(MessageThread.subject,),
        title=_("Messages"), ascii_name="messages", export_scalars=False,
    )

    def statement(self):
        return self.context.query()

    def export_statement(self, statement):
        return service.export_rows(statement, self.request.authenticated_userid)

    def extra(self, page):
        db = self.request.dbsession
        stats = service.thread_stats(db, self.request.authenticated_userid, [t.id for t in page.items])
        starters = service.users_by_id(db, [t.created_by_id for t in page.items])
        return {
            "unread_only": "unread" in self.filters,
            "rows": [(t, stats.get(t.id, service.ThreadStats(0, 0)), starters.get(t.created_by_id))
                     for t in page.items],
            "can_create": self.request.has_permission(Permission.MessagesSend, self.context),
            "inbox_url": inbox_url(self.request) if spans_parties(self.request) else None,
        }


# --- /messages/: the threads of every party the user may see -------------------------------
SHOW_ALL = "all"  # ?show=all: every thread; without it, those with something unread for this user


def inbox_url(request, **query) -> str:
    return request.resource_url(request.root, InboxArea.segment, "", query=query or None)


def spans_parties(request) -> bool:
    """Whether the user's messages may lie in more than one party (staff, a holding's user)."""
    identity = request.identity
    return sees_every_party(identity) or len(set(identity.party_ids) | set(identity.managed_party_ids)) > 1


def thread_url(request, thread) -> str:
    return request.application_url + item_path(request.registry, MESSAGE.name, thread.party_id, thread.id)


@view_config(context=InboxArea, name="", attr="page", permission=Permission.MessagesInbox,
             request_method=("GET", "HEAD"), renderer="portal:messages/templates/inbox.pt")
@view_config(context=InboxArea, name="export.xlsx", attr="export", permission=Permission.MessagesInbox,
             request_method=("GET", "HEAD"))
class Inbox(ListView):
    """The threads of every party the user may see, newest activity first: only those with something
    unread for this user, or all (``?show=all``); by party (``?party=``), searched by subject; each
    with its party, how many messages it holds and how many this user has not read (the export too)."""

    spec = ListSpec(
        columns=(
            Column("#", "id", kind="number", width=8),
            Column(_("Company"), "party_name", width=36),
            Column(_("Subject"), "subject", width=50),
            Column(_("Started by"), service.person_name, width=28),
            Column(_("Started"), "created_at", kind="datetime"),
            Column(_("Last message"), "last_message_at", kind="datetime"),
            Column(_("Messages"), "messages", kind="number", width=10),
            Column(_("Unread"), "unread", kind="number", width=10),
        ),
        sorts={
            "last": MessageThread.last_message_at,
            "created": MessageThread.created_at,
            "subject": MessageThread.subject,
            "party": Party.name,
        },
        default_sort="-last", tiebreak=MessageThread.id.desc(),
        filters={"party": (MessageThread.party_id, ANY_ID), "show": (None, {SHOW_ALL})},
        search=(MessageThread.subject,),
        title=_("Messages"), ascii_name="messages", export_scalars=False,
    )

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user_id = request.authenticated_userid
        self.scope = visible_party_ids(request.identity)  # None: the user sees every party

    @property
    def unread_only(self) -> bool:
        return self.filters.get("show") != SHOW_ALL

    def statement(self):
        return inbox.inbox_threads(self.user_id, self.scope, unread_only=self.unread_only)

    def export_statement(self, statement):
        return inbox.inbox_export_rows(statement, self.user_id)

    def party_choices(self, unread) -> list:
        """The parties the filter offers, with this user's unread count on each: every party of a
        customer or a manager; for staff who see every party, those with something unread for them
        (and the one filtered by)."""
        db = self.request.dbsession
        if self.scope is not None:
            ids = db.scalars(self.scope).all()
        else:
            ids = set(unread)
            if "party" in self.filters:
                ids.add(int(self.filters["party"]))
        return [(party, unread.get(party.id, 0)) for party in inbox.parties_named(db, ids)]

    def tab_url(self, show_all: bool) -> str:
        query = {k: v for k, v in self.query.items() if k != "show"}
        if show_all:
            query["show"] = SHOW_ALL
        return inbox_url(self.request, **query)

    def extra(self, page):
        db = self.request.dbsession
        threads = page.items
        stats = service.thread_stats(db, self.user_id, [t.id for t in threads])
        starters = service.users_by_id(db, [t.created_by_id for t in threads])
        parties = {p.id: p for p in inbox.parties_named(db, [t.party_id for t in threads])}
        choices = self.party_choices(inbox.unread_by_party(db, self.user_id, self.scope))
        chosen = self.filters.get("party")
        return {
            "unread_only": self.unread_only,
            "rows": [(t, stats.get(t.id, service.ThreadStats(0, 0)), starters.get(t.created_by_id),
                      parties[t.party_id], thread_url(self.request, t)) for t in threads],
            "choices": choices,
            "chosen": next((p for p, _n in choices if str(p.id) == chosen), None),
            "party_filter_url": lambda party: inbox_url(self.request, **dict(self.query, party=str(party.id))),
            "tabs": ((False, _("Unread"), self.tab_url(False)), (True, _("All conversations"), self.tab_url(True))),
            "clear_url": inbox_url(self.request, **({} if self.unread_only else {"show": SHOW_ALL})),
        }


# --- writing ------------------------------------------------------------------------------
NEW_THREAD = dict(context=ThreadsContainer, name="new", permission=Permission.MessagesSend,
                  renderer="portal:messages/templates/new.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_THREAD)
@view_config(attr="post", request_method="POST", **NEW_THREAD)
class NewThreadView(FormView):
    """A customer or a member of staff starts a thread: subject, text, optionally a document."""

    schema_class = NewThreadSchema
    buttons = (("submit", _("Send")),)
    formid = "new-thread"
    upload_field = "attachment"
    files_once = True

    def success(self, appstruct, upload):
        request = self.request
        party = self.context.party
        thread, message = service.start_thread(
            request.find_service(IWorkflowService), party_id=party.id, author_id=request.authenticated_userid,
            from_staff=for_company(request, party), subject=appstruct["subject"].strip(),
            body=appstruct["body"].strip(),
        )
        self.attach(upload, message, MESSAGE.name)
        request.session.flash(translate(request, _("Your message has been sent.")), "success")
        return HTTPSeeOther(request.resource_url(self.context, str(thread.id), ""))


# --- one thread ----------------------------------------------------------------------------
class MessageRow:
    """One message as the thread page shows it to this user."""

    def __init__(self, message, attachments, receipts, show_state, new):
        self.message = message
        self.attachments = attachments
        self.receipts = receipts  # None: this user is not shown who received it
        self.show_state = show_state
        self.new = new


def thread_page_data(context, request, form_html, just_read=()):
    """What templates/messages/thread.pt needs: the messages with their files, states and receipts."""
    db = request.dbsession
    thread = context.item
    party_resource = context.party_resource
    messages = service.thread_messages(db, thread)
    ids = [m.id for m in messages]
    staff_view = for_company(request, context.party)
    files = service.attachments_of(db, thread.party_id, ids)
    receipts = service.receipts_of(db, ids) if staff_view else {}
    just_read = set(just_read)
    rows = [
        MessageRow(
            m,
            [AttachmentLink(a, request.resource_url(party_resource, "attachments", str(a.id))) for a in files[m.id]],
            receipts.get(m.id, []) if staff_view else None,
            # Staff see every message's state; the party sees whether its own messages were read.
            staff_view or not m.from_staff,
            m.id in just_read,
        )
        for m in messages
    ]
    return {
        "thread": thread,
        "rows": rows,
        "states": MESSAGE.states,
        "form": form_html,
        "can_reply": request.has_permission(Permission.MessagesSend, context),
    }


THREAD = dict(context=ThreadResource, renderer="portal:messages/templates/thread.pt")


@view_config(name="", attr="get", permission=Permission.MessagesView, request_method=("GET", "HEAD"), **THREAD)
@view_config(name="reply", attr="post", permission=Permission.MessagesSend, request_method="POST", **THREAD)
class ThreadView(FormView):
    """The thread with the reply form; opening it (GET) reads what this user had not read yet."""

    schema_class = ReplySchema
    buttons = (("submit", _("Send")),)
    formid = "reply"
    upload_field = "attachment"
    files_once = True
    just_read = ()

    def action(self):
        return self.request.resource_url(self.context, "reply")

    def page(self, form_html):
        return thread_page_data(self.context, self.request, form_html, self.just_read)

    def get(self):
        request = self.request
        if request.method == "GET":
            self.just_read = service.mark_thread_read(
                request.find_service(IWorkflowService), self.context, request.authenticated_userid)
        if not request.has_permission(Permission.MessagesSend, self.context):
            return self.page("")
        return super().get()

    def success(self, appstruct, upload):
        request = self.request
        message = service.post_message(
            request.find_service(IWorkflowService), self.context.item, author_id=request.authenticated_userid,
            from_staff=for_company(request, self.context.party), body=appstruct["body"].strip(),
        )
        self.attach(upload, message, MESSAGE.name)
        request.session.flash(translate(request, _("Your message has been sent.")), "success")
        return HTTPSeeOther(request.resource_url(self.context, anchor=f"m{message.id}"))
