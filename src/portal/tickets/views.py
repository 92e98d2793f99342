"""Service tickets: the party's list and its export, opening a ticket, and one ticket with its actions."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy.orm import joinedload

from portal.db.meta import utcnow
from portal.formats import format_datetime
from portal.i18n import _, titles, translate
from portal.security.permissions import Permission
from portal.tickets.models import ServiceTicket
from portal.tickets.resources import TicketItem, TicketsContainer
from portal.tickets.schemas import NewTicketSchema
from portal.tickets.services import file_ticket
from portal.tickets.sla import BusinessCalendar, offered_levels
from portal.tickets.workflow import SERVICE_TICKET
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.workflow import attachment_links, workflow_panel
from portal.views.xlsx import Column
from portal.workflows.due import is_overdue, priority_rank
from portal.workflows.priorities import PRIORITIES, priority_label
from portal.workflows.services import IWorkflowService


def calendar(request) -> BusinessCalendar:
    return BusinessCalendar.from_settings(request.registry.settings)


@view_config(context=TicketsContainer, name="", attr="page", permission=Permission.TicketsView,
             request_method=("GET", "HEAD"), renderer="portal:tickets/templates/list.pt")
@view_config(context=TicketsContainer, name="export.xlsx", attr="export", permission=Permission.TicketsView,
             request_method=("GET", "HEAD"))
class TicketList(ListView):
    """The party's service tickets, filtered by state and priority: the page and its export."""

    spec = ListSpec(
        columns=(
            Column("#", "id", kind="number", width=8),
            Column(_("Subject"), "subject", width=40),
            Column(_("Priority"), lambda t: priority_label(t.priority), width=12),
            Column(_("State"), lambda t: SERVICE_TICKET.state(t.state).title, width=16),
            Column(_("Filed"), "created_at", kind="datetime"),
            Column(_("Due"), "due_at", kind="datetime"),
            Column(_("Handled by"), lambda t: t.assignee.full_name if t.assignee else None, width=24),
            Column(_("Resolved"), "resolved_at", kind="datetime"),
        ),
        sorts={
            "created": ServiceTicket.created_at,
            "due": ServiceTicket.due_at,
            "priority": priority_rank(ServiceTicket.priority),
            "state": ServiceTicket.state,
            "subject": ServiceTicket.subject,
            "id": ServiceTicket.id,
        },
        default_sort="-created", tiebreak=ServiceTicket.id.desc(),
        filters={
            "state": (ServiceTicket.state, set(SERVICE_TICKET.states)),
            "priority": (ServiceTicket.priority, set(PRIORITIES)),
        },
        title=_("Service tickets"), ascii_name="tickets",
    )

    def statement(self):
        return self.context.query()

    def export_statement(self, statement):
        return statement.options(joinedload(ServiceTicket.assignee))

    def extra(self, page):
        now = utcnow()
        return {
            "state_titles": titles(self.request, SERVICE_TICKET.state_titles),
            "priorities": PRIORITIES, "priority_label": priority_label,
            "overdue": {t.id for t in page.items if is_overdue(t.due_at, t.state, now)},
            "can_create": self.request.has_permission(Permission.TicketsCreate, self.context),
        }


@view_config(context=TicketsContainer, name="new", attr="get", permission=Permission.TicketsCreate,
             request_method=("GET", "HEAD"), renderer="portal:tickets/templates/new.pt")
@view_config(context=TicketsContainer, name="new", attr="post", permission=Permission.TicketsCreate,
             request_method="POST", renderer="portal:tickets/templates/new.pt")
class NewTicketView(FormView):
    """A customer opens a ticket: subject, text, priority, optionally a file.

    The priorities offered, each with its hours, are those customers may choose
    (the SLA page's setting); staff are offered every one.
    """

    schema_class = NewTicketSchema
    buttons = (("submit", _("Open the ticket")),)
    formid = "new-ticket"
    upload_field = "attachment"
    files_once = True

    def __init__(self, context, request):
        super().__init__(context, request)
        self.levels = offered_levels(request.dbsession, staff=request.identity.is_staff)

    def bind_kwargs(self):
        return {"levels": self.levels}

    def page(self, form_html):
        counted_in_business_hours = any(level.business_hours for level in self.levels)
        return {"form": form_html, "calendar": calendar(self.request) if counted_in_business_hours else None}

    def success(self, appstruct, upload):
        request = self.request
        item = file_ticket(
            request.find_service(IWorkflowService), request.dbsession,
            party_id=self.context.party.id, author_id=request.authenticated_userid, subject=appstruct["subject"],
            body=appstruct["body"], priority=appstruct["priority"], calendar=calendar(request),
        )
        self.attach(upload, item, SERVICE_TICKET.name)
        due = format_datetime(item.due_at, request.registry["portal_tz"], request.locale_name, "short")
        request.session.flash(translate(request, _("Your ticket #${id} has been opened. It is due by ${due}.",
                                                   mapping={"id": item.id, "due": due})), "success")
        return HTTPSeeOther(request.resource_url(self.context, str(item.id), ""))


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
