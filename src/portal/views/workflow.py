"""What every workflow item page shares: the action buttons, the timeline, the transition POST,
attachment downloads and the user's notices."""
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import FileResponse
from pyramid.view import view_config
from sqlalchemy import select

from ..formats import format_datetime
from ..i18n import _, translate
from ..models import Notice, User, UserRole
from ..resources import AccountArea, AttachmentResource, WorkflowItem
from ..resources.workflow_items import CONTAINER_OF
from ..security.permissions import Permission
from ..services.attachments import IAttachmentService
from ..services.notices import mark_read
from ..services.workflow import IWorkflowService
from ..workflows import WORKFLOWS
from ..workflows.effects import HANDLER_ROLES
from ..workflows.engine import WorkflowError
from .listing import list_page

MAX_COMMENT = 4000
# Which permission lets a user see the files of each kind of item.
ATTACHMENT_VIEW = {
    "request": Permission.RequestsView,
    "change_request": Permission.ChangesView,
    "service_ticket": Permission.TicketsView,
    "message": Permission.MessagesView,
}


def staff_choices(dbsession):
    """Active staff who can be assigned work, for the assign form."""
    return dbsession.execute(
        select(User.id, User.last_name, User.first_name, User.login)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(HANDLER_ROLES), User.state == "active")
        .distinct().order_by(User.last_name, User.first_name)
    ).all()


def workflow_panel(request, resource):
    """Actions the user may take now and the item's timeline, for macros/workflow.pt."""
    service = request.find_service(IWorkflowService)
    actions = service.available(resource)
    needs_staff = any(t.name == "assign" for t in actions)
    return {
        "actions": actions,
        "timeline": service.timeline(resource),
        "state": resource.workflow.state(resource.item.state),
        "states": resource.workflow.states,
        "assignees": staff_choices(request.dbsession) if needs_staff else [],
        "version": resource.item.version,
    }


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
    try:
        event = request.find_service(IWorkflowService).apply(
            context, name, comment=comment, expected_version=version, **data)
    except WorkflowError as error:
        request.tm.doom()  # an effect may have run before the refusal: keep none of it
        request.session.flash(refusal_text(request, error), "error")
        return HTTPSeeOther(back)
    state = context.workflow.state(event.to_state)
    request.session.flash(translate(request, _("Done. The state is now “${state}”.",
                                               mapping={"state": translate(request, state.title)})), "success")
    return HTTPSeeOther(back)


@view_config(context=AttachmentResource, name="", request_method=("GET", "HEAD"), permission=Permission.PartyView)
def download_attachment(context, request):
    attachment = context.attachment
    permission = ATTACHMENT_VIEW.get(attachment.owner_type)
    if permission is None or not request.has_permission(permission, context):
        raise HTTPNotFound()
    path = request.find_service(IAttachmentService).path_for(attachment.sha256)
    response = FileResponse(path, request=request, content_type=attachment.content_type.split(";")[0])
    response.content_disposition = attachment_disposition(attachment.filename)
    return response


def attachment_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class AttachmentLink:
    """An attachment with its download URL, for macros/workflow.pt."""

    def __init__(self, attachment, url):
        self.filename, self.size, self.url = attachment.filename, attachment.size, url


def attachment_links(request, resource) -> list[AttachmentLink]:
    """The files of a workflow item, each with its party-scoped download URL."""
    service = request.find_service(IAttachmentService)
    return [
        AttachmentLink(a, request.resource_url(resource.party_resource, "attachments", str(a.id)))
        for a in service.for_owner(resource.workflow.name, resource.item.id)
    ]


def item_url(request, notice: Notice) -> str:
    return request.resource_url(request.root, "p", str(notice.party_id), CONTAINER_OF[notice.workflow],
                                str(notice.item_id), "")


@view_config(context=AccountArea, name="notices", request_method=("GET", "HEAD"),
             permission=Permission.AccountView, renderer="portal:templates/account/notices.pt")
def notices(context, request):
    user_id = request.authenticated_userid
    statement = select(Notice).where(Notice.user_id == user_id).order_by(Notice.created_at.desc(), Notice.id.desc())
    page = list_page(request, statement)
    rows = [
        {
            "notice": n,
            "url": item_url(request, n),
            "kind": WORKFLOWS[n.workflow].title,
            "state": WORKFLOWS[n.workflow].state(n.to_state).title,
        }
        for n in page.items
    ]
    return {"page": page, "rows": rows}


@view_config(context=AccountArea, name="notices", request_method="POST", permission=Permission.AccountEdit)
def notices_read(context, request):
    mark_read(request.dbsession, request.authenticated_userid)
    return HTTPSeeOther(request.resource_url(context, "notices"))
