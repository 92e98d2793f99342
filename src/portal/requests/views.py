"""Customer requests: the party's list, filing a new one, and one request with its actions."""
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults

from portal.i18n import _, translate
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.resources import RequestItem, RequestsContainer
from portal.requests.schemas import NewRequestSchema
from portal.requests.services import active_types, file_request
from portal.requests.workflow import REQUEST
from portal.security.permissions import Permission
from portal.views.forms import FormRefused, attach_upload, validate_with_upload
from portal.views.listing import ItemList
from portal.views.workflow import attachment_links, workflow_panel
from portal.workflows.services import IWorkflowService

SORTS = {
    "created": CustomerRequest.created_at,
    "due": CustomerRequest.due_at,
    "state": CustomerRequest.state,
    "subject": CustomerRequest.subject,
    "id": CustomerRequest.id,
}


@view_config(context=RequestsContainer, name="", permission=Permission.RequestsView,
             request_method=("GET", "HEAD"), renderer="portal:requests/templates/list.pt")
def request_list(context, request):
    types = request.dbsession.query(RequestType).order_by(RequestType.code).all()
    listing = ItemList.build(
        request, context.query(), sorts=SORTS, default_sort="-created",
        filters={
            "state": (CustomerRequest.state, set(REQUEST.states)),
            "type": (CustomerRequest.type_id, {str(t.id) for t in types}),
        },
    )
    return {
        "listing": listing, "page": listing.page, "sort": listing.sort, "types": types,
        "type_names": {t.id: t.name(request.locale_name) for t in types},
        "states": REQUEST.states,
        "can_create": request.has_permission(Permission.RequestsCreate, context),
    }


@view_defaults(context=RequestsContainer, name="new", permission=Permission.RequestsCreate,
               renderer="portal:requests/templates/new.pt")
class NewRequestViews:
    """A customer files a request: type, subject, text, optionally a file."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.types = active_types(request.dbsession)

    def form(self):
        schema = NewRequestSchema().bind(request=self.request, types=self.types,
                                         language=self.request.locale_name)
        return deform.Form(schema, buttons=(deform.Button("submit", _("File the request")),),
                           formid="new-request")

    @view_config(request_method=("GET", "HEAD"))
    def get(self):
        return {"form": self.form().render(), "types": self.types}

    @view_config(request_method="POST")
    def post(self):
        try:
            appstruct, checked = validate_with_upload(self.request, self.form())
        except FormRefused as refused:
            return {"form": refused.html, "types": self.types}
        request_type = next(t for t in self.types if str(t.id) == appstruct["type_id"])
        item = file_request(
            self.request.find_service(IWorkflowService),
            party_id=self.context.party.id, author_id=self.request.authenticated_userid,
            request_type=request_type, subject=appstruct["subject"].strip(), body=appstruct["body"].strip(),
        )
        attach_upload(self.request, checked, item, REQUEST.name)
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
