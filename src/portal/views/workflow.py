"""What every workflow item page shares: the action buttons, the timeline, the transition POST,
the links to the item's files."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from portal.attachments.services import IAttachmentService
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


