"""Messages: a party's threads, starting one, a thread with its messages and receipts, replying.

Who receives what, and when a message counts as delivered or read, is decided
in services/messages.py; these views only show it and take the forms in.
Opening a thread (GET) is what reads it.
"""
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults

from portal.attachments.services import IAttachmentService, UploadRefused
from portal.i18n import _, translate
from portal.messages import services as service
from portal.messages.models import MessageThread
from portal.messages.resources import ThreadResource, ThreadsContainer
from portal.messages.schemas import NewThreadSchema, ReplySchema
from portal.messages.workflow import MESSAGE
from portal.security.permissions import Permission
from portal.views.downloads import xlsx_download
from portal.views.forms import field_error
from portal.views.listing import list_page
from portal.views.pagination import Listing
from portal.views.workflow import AttachmentLink
from portal.views.xlsx import Column
from portal.workflows.services import IWorkflowService

SORTS = {
    "last": MessageThread.last_message_at,
    "created": MessageThread.created_at,
    "subject": MessageThread.subject,
    "id": MessageThread.id,
}
SEARCH = (MessageThread.subject,)
EXPORT_COLUMNS = (
    Column("#", "id", kind="number", width=8),
    Column(_("Subject"), "subject", width=50),
    Column(_("Started by"), service.person_name, width=28),
    Column(_("Started"), "created_at", kind="datetime"),
    Column(_("Last message"), "last_message_at", kind="datetime"),
    Column(_("Messages"), "messages", kind="number", width=10),
    Column(_("Unread"), "unread", kind="number", width=10),
)


def for_company(request, party) -> bool:
    """True when the user acts for the company here (staff), False when for the party (a member)."""
    return party.id not in request.identity.party_ids


# --- the list ---------------------------------------------------------------------------
def thread_listing(context, request, statement):
    """``statement`` (from the party's threads) searched, filtered to unread and sorted as asked."""
    unread_only = request.params.get("unread") == "1"
    if unread_only:
        statement = statement.where(MessageThread.id.in_(service.unread_threads(request.authenticated_userid)))
    listing = Listing.build(statement, request.params, search=SEARCH, sorts=SORTS, default_sort="-last",
                            tiebreak=MessageThread.id.desc())
    return listing, unread_only


@view_config(context=ThreadsContainer, name="", permission=Permission.MessagesView,
             request_method=("GET", "HEAD"), renderer="portal:messages/templates/list.pt")
def thread_list(context, request):
    db = request.dbsession
    listing, unread_only = thread_listing(context, request, context.query())
    page = list_page(request, listing.statement)
    stats = service.thread_stats(db, request.authenticated_userid, [t.id for t in page.items])
    starters = service.users_by_id(db, [t.created_by_id for t in page.items])
    query = dict(listing.query, unread="1") if unread_only else listing.query
    return {
        "page": page, "sort": listing.sort, "q": listing.q, "unread_only": unread_only,
        "rows": [(t, stats.get(t.id, service.ThreadStats(0, 0)), starters.get(t.created_by_id))
                 for t in page.items],
        "export_url": request.resource_url(context, "export.xlsx", query=query),
        "can_create": request.has_permission(Permission.MessagesSend, context),
    }


@view_config(context=ThreadsContainer, name="export.xlsx", permission=Permission.MessagesView,
             request_method=("GET", "HEAD"))
def thread_export(context, request):
    """Every thread the list shows (same search, filter and order), as .xlsx."""
    listing, _unread_only = thread_listing(context, request, context.query())
    statement = service.export_rows(listing.statement, request.authenticated_userid)
    return xlsx_download(request, statement, EXPORT_COLUMNS, title=_("Messages"), ascii_name="messages",
                         scalars=False)


# --- writing ------------------------------------------------------------------------------
class FormRefused(Exception):
    """A message form that cannot be taken; ``rendered`` is the form again, with the reason."""

    def __init__(self, rendered):
        super().__init__("form refused")
        self.rendered = rendered


def validated(request, form):
    """The form's values and its checked upload (or None); raises FormRefused, keeping nothing."""
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        raise FormRefused(failure.render()) from None
    upload = appstruct.get("attachment")
    if not upload:
        return appstruct, None
    try:
        checked = request.find_service(IAttachmentService).check(upload["fp"], upload["filename"])
    except UploadRefused as refused:
        raise FormRefused(field_error(form, "attachment", refused.message)) from None
    return appstruct, checked


def keep_attachment(request, checked, message) -> None:
    if checked is not None:
        request.find_service(IAttachmentService).attach(
            checked, party_id=message.party_id, owner_type=MESSAGE.name, owner_id=message.id,
            uploaded_by_id=request.authenticated_userid,
        )


@view_defaults(context=ThreadsContainer, name="new", permission=Permission.MessagesSend,
               renderer="portal:messages/templates/new.pt")
class NewThreadViews:
    """A customer or a member of staff starts a thread: subject, text, optionally a document."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def form(self):
        schema = NewThreadSchema().bind(request=self.request)
        return deform.Form(schema, buttons=(deform.Button("submit", _("Send")),), formid="new-thread")

    @view_config(request_method=("GET", "HEAD"))
    def get(self):
        return {"form": self.form().render()}

    @view_config(request_method="POST")
    def post(self):
        request = self.request
        try:
            appstruct, checked = validated(request, self.form())
        except FormRefused as refused:
            request.response.status = 400
            return {"form": refused.rendered}
        party = self.context.party
        thread, message = service.start_thread(
            request.find_service(IWorkflowService), party_id=party.id, author_id=request.authenticated_userid,
            from_staff=for_company(request, party), subject=appstruct["subject"].strip(),
            body=appstruct["body"].strip(),
        )
        keep_attachment(request, checked, message)
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


def reply_form(context, request):
    schema = ReplySchema().bind(request=request)
    return deform.Form(schema, action=request.resource_url(context, "reply"),
                       buttons=(deform.Button("submit", _("Send")),), formid="reply")


@view_config(context=ThreadResource, name="", permission=Permission.MessagesView,
             request_method=("GET", "HEAD"), renderer="portal:messages/templates/thread.pt")
def thread_page(context, request):
    """The thread; opening it (GET) reads what this user had not read yet."""
    just_read = []
    if request.method == "GET":
        just_read = service.mark_thread_read(
            request.find_service(IWorkflowService), context, request.authenticated_userid)
    can_reply = request.has_permission(Permission.MessagesSend, context)
    form_html = reply_form(context, request).render() if can_reply else ""
    return thread_page_data(context, request, form_html, just_read)


@view_config(context=ThreadResource, name="reply", permission=Permission.MessagesSend,
             request_method="POST", renderer="portal:messages/templates/thread.pt")
def reply(context, request):
    try:
        appstruct, checked = validated(request, reply_form(context, request))
    except FormRefused as refused:
        request.response.status = 400
        return thread_page_data(context, request, refused.rendered)
    message = service.post_message(
        request.find_service(IWorkflowService), context.item, author_id=request.authenticated_userid,
        from_staff=for_company(request, context.party), body=appstruct["body"].strip(),
    )
    keep_attachment(request, checked, message)
    request.session.flash(translate(request, _("Your message has been sent.")), "success")
    return HTTPSeeOther(request.resource_url(context, anchor=f"m{message.id}"))
