"""Customer requests: the party's list and its export, filing a new one, and one request with its actions."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.i18n import _, titles, translate
from portal.requests.models import CustomerRequest, RequestType, type_name
from portal.requests.resources import RequestItem, RequestsContainer
from portal.requests.schemas import NewRequestSchema
from portal.requests.services import active_types, file_request
from portal.requests.workflow import REQUEST
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.workflow import attachment_links, workflow_panel
from portal.views.xlsx import Column
from portal.workflows.services import IWorkflowService


def export_columns(request):
    return (
        Column("#", "id", kind="number", width=8),
        Column(_("Subject"), "subject", width=40),
        Column(_("Type"), lambda r: r.type.name(request.locale_name), width=24),
        Column(_("State"), lambda r: REQUEST.state(r.state).title, width=16),
        Column(_("Filed"), "created_at", kind="datetime"),
        Column(_("Due"), "due_at", kind="datetime"),
        Column(_("Handled by"), lambda r: r.assignee.full_name if r.assignee else None, width=24),
        Column(_("Resolved"), "resolved_at", kind="datetime"),
    )


@view_config(context=RequestsContainer, name="", attr="page", permission=Permission.RequestsView,
             request_method=("GET", "HEAD"), renderer="portal:requests/templates/list.pt")
@view_config(context=RequestsContainer, name="export.xlsx", attr="export", permission=Permission.RequestsView,
             request_method=("GET", "HEAD"))
class RequestList(ListView):
    """The party's requests, filtered by state and type: the page and its export."""

    spec = ListSpec(
        columns=export_columns,
        sorts={
            "created": CustomerRequest.created_at,
            "due": CustomerRequest.due_at,
            "state": CustomerRequest.state,
            "subject": CustomerRequest.subject,
            "id": CustomerRequest.id,
        },
        default_sort="-created", tiebreak=CustomerRequest.id.desc(),
        filters={
            "state": (CustomerRequest.state, set(REQUEST.states)),
            "type": (CustomerRequest.type_id, ANY_ID),
        },
        title=_("Requests"), ascii_name="requests",
        shown=("id", "subject", "type_id", "state", "created_at", "due_at"),
    )

    def statement(self):
        return self.context.query()

    def export_statement(self, statement):
        return statement.options(joinedload(CustomerRequest.type), joinedload(CustomerRequest.assignee))

    def extra(self, page):
        # The type filter's options and each row's type name: the three columns that make a name,
        # as plain rows (the page needs no RequestType objects).
        types = self.request.dbsession.execute(
            select(RequestType.id, RequestType.code, RequestType.names).order_by(RequestType.code)).all()
        language = self.request.locale_name
        return {
            "type_names": {t.id: type_name(t.names, t.code, language) for t in types},
            "state_titles": titles(self.request, REQUEST.state_titles),
            "can_create": self.request.has_permission(Permission.RequestsCreate, self.context),
        }


@view_config(context=RequestsContainer, name="new", attr="get", permission=Permission.RequestsCreate,
             request_method=("GET", "HEAD"), renderer="portal:requests/templates/new.pt")
@view_config(context=RequestsContainer, name="new", attr="post", permission=Permission.RequestsCreate,
             request_method="POST", renderer="portal:requests/templates/new.pt")
class NewRequestView(FormView):
    """A customer files a request: type, subject, text, optionally a file."""

    schema_class = NewRequestSchema
    buttons = (("submit", _("File the request")),)
    formid = "new-request"
    upload_field = "attachment"
    files_once = True

    def __init__(self, context, request):
        super().__init__(context, request)
        self.types = active_types(request.dbsession, request.registry)

    def bind_kwargs(self):
        return {"types": self.types, "language": self.request.locale_name}

    def page(self, form_html):
        return {"form": form_html, "types": self.types}

    def success(self, appstruct, upload):
        request_type = next(t for t in self.types if str(t.id) == appstruct["type_id"])
        item = file_request(
            self.request.find_service(IWorkflowService),
            party_id=self.context.party.id, author_id=self.request.authenticated_userid,
            request_type=request_type, subject=appstruct["subject"].strip(), body=appstruct["body"].strip(),
        )
        self.attach(upload, item, REQUEST.name)
        self.request.session.flash(translate(self.request, _("Your request #${id} has been filed.",
                                                               mapping={"id": item.id})), "success")
        return HTTPSeeOther(self.request.resource_url(self.context, str(item.id), ""))


@view_config(context=RequestItem, name="", permission=Permission.RequestsView,
             request_method=("GET", "HEAD"), renderer="portal:requests/templates/detail.pt")
def request_detail(context, request):
    item = context.item
    return {
        "item": item,
        "panel": workflow_panel(request, context),
        "attachments": attachment_links(request, context),
    }
