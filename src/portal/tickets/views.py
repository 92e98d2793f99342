"""Service tickets: the party's list and its export, opening a ticket, and one ticket with its actions."""
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults
from sqlalchemy.orm import joinedload

from portal.db.meta import utcnow
from portal.formats import format_datetime
from portal.i18n import _, translate
from portal.security.permissions import Permission
from portal.tickets.models import ServiceTicket
from portal.tickets.resources import TicketItem, TicketsContainer
from portal.tickets.schemas import NewTicketSchema
from portal.tickets.services import file_ticket
from portal.tickets.sla import BusinessCalendar
from portal.tickets.workflow import SERVICE_TICKET
from portal.views.downloads import xlsx_download
from portal.views.forms import FormRefused, attach_upload, validate_with_upload
from portal.views.listing import ItemList
from portal.views.workflow import attachment_links, workflow_panel
from portal.views.xlsx import Column
from portal.workflows.due import is_overdue, priority_rank
from portal.workflows.priorities import PRIORITIES, priority_label
from portal.workflows.services import IWorkflowService

SORTS = {
    "created": ServiceTicket.created_at,
    "due": ServiceTicket.due_at,
    "priority": priority_rank(ServiceTicket.priority),
    "state": ServiceTicket.state,
    "subject": ServiceTicket.subject,
    "id": ServiceTicket.id,
}
FILTERS = {
    "state": (ServiceTicket.state, set(SERVICE_TICKET.states)),
    "priority": (ServiceTicket.priority, set(PRIORITIES)),
}
LIST = dict(sorts=SORTS, default_sort="-created", filters=FILTERS)
EXPORT_COLUMNS = (
    Column("#", "id", kind="number", width=8),
    Column(_("Subject"), "subject", width=40),
    Column(_("Priority"), lambda t: priority_label(t.priority), width=12),
    Column(_("State"), lambda t: SERVICE_TICKET.state(t.state).title, width=16),
    Column(_("Filed"), "created_at", kind="datetime"),
    Column(_("Due"), "due_at", kind="datetime"),
    Column(_("Handled by"), lambda t: t.assignee.full_name if t.assignee else None, width=24),
    Column(_("Resolved"), "resolved_at", kind="datetime"),
)

def calendar(request) -> BusinessCalendar:
    return BusinessCalendar.from_settings(request.registry.settings)

@view_config(context=TicketsContainer, name="", permission=Permission.TicketsView,
             request_method=("GET", "HEAD"), renderer="portal:tickets/templates/list.pt")
def ticket_list(context, request):
    listing = ItemList.build(request, context.query(), **LIST)
    now = utcnow()
    return {
        "listing": listing, "page": listing.page, "sort": listing.sort,
        "states": SERVICE_TICKET.states, "priorities": PRIORITIES, "priority_label": priority_label,
        "overdue": {t.id for t in listing.page.items if is_overdue(t.due_at, t.state, now)},
        "can_create": request.has_permission(Permission.TicketsCreate, context),
        "export_url": request.resource_url(context, "export.xlsx", query=listing.query),
    }

@view_config(context=TicketsContainer, name="export.xlsx", permission=Permission.TicketsView,
             request_method=("GET", "HEAD"))
def ticket_export(context, request):
    """The party's tickets as the list shows them (same filters and order), every page, as .xlsx."""
    _chosen, _sort, statement = ItemList.filtered(request, context.query(), **LIST)
    return xlsx_download(request, statement.options(joinedload(ServiceTicket.assignee)), EXPORT_COLUMNS,
                         title=_("Service tickets"), ascii_name="tickets")

@view_defaults(context=TicketsContainer, name="new", permission=Permission.TicketsCreate,
               renderer="portal:tickets/templates/new.pt")
class NewTicketViews:
    """A customer opens a ticket: subject, text, priority, optionally a file."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def form(self):
        schema = NewTicketSchema().bind(request=self.request)
        return deform.Form(schema, buttons=(deform.Button("submit", _("Open the ticket")),), formid="new-ticket")

    @view_config(request_method=("GET", "HEAD"))
    def get(self):
        return {"form": self.form().render()}

    @view_config(request_method="POST")
    def post(self):
        try:
            appstruct, checked = validate_with_upload(self.request, self.form())
        except FormRefused as refused:
            return {"form": refused.html}
        user_id = self.request.authenticated_userid
        item = file_ticket(
            self.request.find_service(IWorkflowService), self.request.dbsession,
            party_id=self.context.party.id, author_id=user_id, subject=appstruct["subject"],
            body=appstruct["body"], priority=appstruct["priority"], calendar=calendar(self.request),
        )
        attach_upload(self.request, checked, item, SERVICE_TICKET.name)
        self.request.session.flash(translate(self.request, _(
            "Your ticket #${id} has been opened. It is due by ${due}.",
            mapping={"id": item.id, "due": format_datetime(item.due_at, self.request.registry["portal_tz"], self.request.locale_name,
                                  "short")})), "success")
        return HTTPSeeOther(self.request.resource_url(self.context, str(item.id), ""))

@view_config(context=TicketItem, name="", permission=Permission.TicketsView,
             request_method=("GET", "HEAD"), renderer="portal:tickets/templates/detail.pt")
def ticket_detail(context, request):
    item = context.item
    return {
        "item": item,
        "priority": priority_label(item.priority),
        "overdue": is_overdue(item.due_at, item.state, utcnow()),
        "panel": workflow_panel(request, context),
        "attachments": attachment_links(request, context),
    }
