"""What every workflow item page shares: the action buttons, the timeline, the transition POST,
the links to the item's files."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from portal.attachments.services import CheckedUpload, IAttachmentService, UploadRefused
from portal.formats import format_datetime
from portal.i18n import _, translate
from portal.identity.models import User, UserRole
from portal.parties.services import party_viewers
from portal.security.permissions import Permission
from portal.security.roles import HANDLER_ROLES
from portal.workflows.engine import WorkflowError
from portal.workflows.notices import mark_read
from portal.workflows.resources import WorkflowItem
from portal.workflows.services import IWorkflowService

MAX_COMMENT = 4000
UPLOAD_FIELD = "attachment"  # the file input of an action's form (macros/workflow.pt)


def staff_choices(dbsession, party_ids=None):
    """Active staff who can be assigned work, for the assign form; with ``party_ids``, only those
    who may see every one of those parties (the guard refuses anyone else)."""
    statement = (
        select(User.id, User.last_name, User.first_name, User.login)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(HANDLER_ROLES), User.state == "active")
    )
    if party_ids is not None:
        statement = statement.where(User.id.in_(party_viewers(party_ids)))
    return dbsession.execute(statement.distinct().order_by(User.last_name, User.first_name)).all()


def workflow_panel(request, resource):
    """Actions the user may take now and the item's timeline, for macros/workflow.pt. Every item
    page shows it: opening the page (a GET) reads the user's notices of the item."""
    if request.method == "GET" and request.authenticated_userid is not None:
        mark_read(request.dbsession, request.authenticated_userid,
                  workflow=resource.workflow.name, item_id=resource.item.id)
    service = request.find_service(IWorkflowService)
    actions = service.available(resource)
    needs_staff = any(t.name == "assign" for t in actions)
    timeline = service.timeline(resource)
    state = resource.workflow.state(resource.item.state)
    last = timeline[-1] if timeline else None
    return {
        "actions": actions,
        "timeline": timeline,
        # The open question (the comment that moved the item into a state that asks), shown above the answer.
        "question": last if state.asks and last is not None and last.to_state == state.name and last.comment
        else None,
        "state": state,
        "states": resource.workflow.states,
        "assignees": staff_choices(request.dbsession, [resource.item.party_id]) if needs_staff else [],
        "version": resource.item.version,
        "takes_file": takes_file,
        "accept": ",".join("." + extension for extension in request.registry["upload_policy"].extensions),
        # The files sent with a transition, shown beside its comment in the timeline.
        "files": transition_files(request, resource),
    }


def transition_files(request, resource) -> dict[int, list["AttachmentLink"]]:
    """The item's files that came with a transition, by the id of its history row."""
    files = {}
    for link in attachment_links(request, resource):
        if link.history_id is not None:
            files.setdefault(link.history_id, []).append(link)
    return files


def refusal_text(request, error: WorkflowError) -> str:
    """The engine's reason, plus who last moved the item and when (for "already decided by X")."""
    text = translate(request, error.message)
    last = error.last
    if last is not None and last.transition != "create":
        who = last.actor.full_name if last.actor is not None else translate(request, _("the system"))
        when = format_datetime(last.at, request.registry["portal_tz"], request.locale_name)
        text += " " + translate(request, _("Last change: ${who}, ${when}.", mapping={"who": who, "when": when}))
    return text


@view_config(context=WorkflowItem, name="transition", request_method="POST", permission=Permission.PartyView)
def apply_transition(context, request):
    """Apply one named transition; any refusal leaves the item as it was, with a clear message."""
    back = request.resource_url(context)
    name = request.POST.get("transition", "")
    comment = request.POST.get("comment", "").strip()
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    data = {}
    if "assignee_id" in request.POST:
        try:
            data["assignee_id"] = int(request.POST["assignee_id"])
        except ValueError:
            data["assignee_id"] = -1
    if len(comment) > MAX_COMMENT:
        request.session.flash(translate(request, _("The comment is longer than ${max} characters.",
                                                   mapping={"max": MAX_COMMENT})), "error")
        return HTTPSeeOther(back)
    attachments = request.find_service(IAttachmentService)
    try:
        upload = checked_transition_upload(request, context.workflow.transitions.get(name), attachments)
    except UploadRefused as refused:
        request.session.flash(translate(request, refused.message), "error")
        return HTTPSeeOther(back)
    try:
        event = request.find_service(IWorkflowService).apply(
            context, name, comment=comment, expected_version=version, **data)
    except WorkflowError as error:
        request.tm.doom()  # an effect may have run before the refusal: keep none of it
        if upload is not None:
            attachments.discard(upload)
        request.session.flash(refusal_text(request, error), "error")
        return HTTPSeeOther(back)
    if upload is not None:
        request.dbsession.flush()  # the history row's id
        attachments.attach(upload, party_id=context.item.party_id, owner_type=context.workflow.name,
                           owner_id=context.item.id, uploaded_by_id=request.authenticated_userid,
                           history_id=event.entry.id)
    state = context.workflow.state(event.to_state)
    request.session.flash(translate(request, _("Done. The state is now “${state}”.",
                                               mapping={"state": translate(request, state.title)})), "success")
    return HTTPSeeOther(back)


def takes_file(transition) -> bool:
    """A transition that takes a comment takes a file with it (an answer with the document asked for)."""
    return transition is not None and transition.comment_required


def checked_transition_upload(request, transition, attachments) -> CheckedUpload | None:
    """The file sent with a transition, checked as filing checks it (by content and size); None
    when none was sent. Raises UploadRefused when it is refused, or sent with an action that takes none."""
    upload = request.POST.get(UPLOAD_FIELD)
    if not getattr(upload, "filename", None):  # no file chosen: the browser sends an empty field
        return None
    if not takes_file(transition):
        raise UploadRefused(_("This action takes no file."))
    return attachments.check(upload.file, upload.filename)


class AttachmentLink:
    """An attachment with its download URL, for macros/workflow.pt."""

    def __init__(self, attachment, url):
        self.filename, self.size, self.url = attachment.filename, attachment.size, url
        self.history_id = attachment.history_id


def attachment_links(request, resource) -> list[AttachmentLink]:
    """The files of a workflow item, each with its party-scoped download URL."""
    service = request.find_service(IAttachmentService)
    return [
        AttachmentLink(a, request.resource_url(resource.party_resource, "attachments", str(a.id)))
        for a in service.for_owner(resource.workflow.name, resource.item.id)
    ]


