"""Messages: a party's threads, starting one, a thread with its messages and receipts, replying.

Who receives what, and when a message counts as delivered or read, is decided
in services/messages.py; these views only show it and take the forms in.
Opening a thread (GET) is what reads it.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.i18n import _, translate
from portal.messages import services as service
from portal.messages.models import MessageThread
from portal.messages.resources import ThreadResource, ThreadsContainer
from portal.messages.schemas import NewThreadSchema, ReplySchema
from portal.messages.workflow import MESSAGE
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.workflow import AttachmentLink
from portal.views.xlsx import Column
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
