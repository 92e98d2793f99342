"""Administration of the workflows' settings: request types and the SLA per priority.

Staff groups, the third section of these settings, are in admin_groups.py; the
sub-navigation the three share is here. Every view asks for
``Permission.AdminWorkflows``, which the admin area grants to admins only.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.traversal import find_interface, lineage
from pyramid.view import view_config, view_defaults
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from portal.admin.resources import AdminArea, RequestTypeResource, RequestTypesContainer, SlaArea, StaffGroupsContainer
from portal.admin.schemas import RequestTypeSchema, SlaSchema
from portal.admin.services import SettingRefused, request_counts, save_request_type, save_sla, sla_table
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _, translate
from portal.requests.models import RequestType
from portal.security.permissions import Permission
from portal.staff.models import StaffGroup
from portal.tickets.sla import BusinessCalendar
from portal.views.downloads import xlsx_download
from portal.views.forms import field_error
from portal.views.listing import list_page
from portal.views.navigation import NavItem
from portal.views.pagination import Listing
from portal.views.xlsx import Column
from portal.workflows.priorities import PRIORITIES, PRIORITY_LABELS, PRIORITY_RANK, priority_label

SECTIONS = (
    (RequestTypesContainer.segment, _("Request types")),
    (SlaArea.segment, _("SLA")),
    (StaffGroupsContainer.segment, _("Staff groups")),
)
YES_NO = {True: _("yes"), False: _("no")}
ACTIVE_FILTER = {"yes": True, "no": False}


def settings_nav(request, context) -> list[NavItem]:
    """The three sections of the workflow settings, the one ``context`` lies in marked current."""
    admin = find_interface(context, AdminArea)
    current = next(r.__name__ for r in lineage(context) if r.__parent__ is admin)
    return [NavItem(title, request.resource_url(admin, segment, ""), segment == current)
            for segment, title in SECTIONS]


def saved(request, message, url, queue="success"):
    """Flash ``message`` and go to ``url`` (POST, then redirect, then GET)."""
    request.session.flash(translate(request, message), queue)
    return HTTPSeeOther(url)


# --- request types: the list and its export ----------------------------------------------
def type_sorts(language):
    return {
        "code": RequestType.code,
        "name": RequestType.names[language].as_string(),
        "group": StaffGroup.name,
        "priority": case({p.value: rank for p, rank in PRIORITY_RANK.items()},
                         value=RequestType.default_priority, else_=-1),
        "due": RequestType.due_hours,
        "active": RequestType.active,
    }


def type_listing(request):
    """The types the list shows (filters, search, sort): the page and its export. Returns (listing, filters)."""
    statement = (
        select(RequestType)
        .outerjoin(StaffGroup, StaffGroup.id == RequestType.group_id)
        .options(selectinload(RequestType.group))
    )
    filters = {}
    active = request.params.get("active", "")
    if active in ACTIVE_FILTER:
        filters["active"] = active
        statement = statement.where(RequestType.active.is_(ACTIVE_FILTER[active]))
    group = request.params.get("group", "")
    if parse_id(group) is not None:
        filters["group"] = group
        statement = statement.where(RequestType.group_id == parse_id(group))
    listing = Listing.build(
        statement, request.params,
        search=(RequestType.code, RequestType.names["en"].as_string(), RequestType.names["ru"].as_string()),
        sorts=type_sorts(request.locale_name), default_sort="code", tiebreak=RequestType.id,
    )
    return listing, filters


TYPE_EXPORT_COLUMNS = (
    Column(_("Code"), "code", width=16),
    Column(_("Name in English"), lambda t: t.names.get("en"), width=36),
    Column(_("Name in Russian"), lambda t: t.names.get("ru"), width=36),
    Column(_("Responsible staff group"), lambda t: t.group.name if t.group else None, width=24),
    Column(_("Default priority"), lambda t: priority_label(t.default_priority), width=16),
    Column(_("Due time, hours"), "due_hours", kind="number", width=14),
    Column(_("Active"), lambda t: YES_NO[bool(t.active)], width=10),
)


def all_groups(dbsession) -> list[StaffGroup]:
    return dbsession.scalars(select(StaffGroup).order_by(StaffGroup.name, StaffGroup.id)).all()


@view_config(context=RequestTypesContainer, name="", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/request_types.pt")
def request_type_list(context, request):
    listing, filters = type_listing(request)
    page = list_page(request, listing.statement)
    return {
        "page": page,
        "q": listing.q,
        "sort": listing.sort,
        "filters": filters,
        "groups": all_groups(request.dbsession),
        "counts": request_counts(request.dbsession, [t.id for t in page.items]),
        "priority_label": priority_label,
        "yes_no": YES_NO,
        "settings_nav": settings_nav(request, context),
        "export_url": request.resource_url(context, "export.xlsx", query=dict(listing.query, **filters)),
    }


@view_config(context=RequestTypesContainer, name="export.xlsx", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"))
def request_type_export(context, request):
    """Every type the list finds (same filters, search and order), as .xlsx."""
    listing, _filters = type_listing(request)
    return xlsx_download(request, listing.statement, TYPE_EXPORT_COLUMNS,
                         title=_("Request types"), ascii_name="request-types")


# --- request types: creating and editing ----------------------------------------------
def type_appstruct(request_type: RequestType) -> dict:
    return {
        "code": request_type.code,
        "name_en": request_type.names.get("en", ""),
        "name_ru": request_type.names.get("ru", ""),
        "group_id": str(request_type.group_id) if request_type.group_id else colander.null,
        "default_priority": request_type.default_priority,
        "due_hours": request_type.due_hours,
        "active": request_type.active,
    }


def type_values(appstruct: dict) -> dict:
    return {
        "code": appstruct["code"],
        "names": {"en": appstruct["name_en"], "ru": appstruct["name_ru"]},
        "group_id": int(appstruct["group_id"]),
        "default_priority": appstruct["default_priority"],
        "due_hours": appstruct["due_hours"],
        "active": appstruct["active"],
    }


@view_defaults(permission=Permission.AdminWorkflows, renderer="portal:admin/templates/request_type.pt")
class RequestTypeFormViews:
    """Creating a request type (``new`` on the list) and editing one (its own page)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.request_type = getattr(context, "request_type", None)
        self.container = context if self.request_type is None else context.__parent__
        self.groups = all_groups(request.dbsession)

    def form(self):
        schema = RequestTypeSchema().bind(request=self.request, groups=self.groups)
        action = self.request.resource_url(self.context, "new" if self.request_type is None else "")
        return deform.Form(schema, buttons=(deform.Button("submit", _("Save")),), formid="request-type",
                           action=action)

    def page(self, form_html, status=200):
        self.request.response.status = status
        filed = 0
        if self.request_type is not None:
            filed = request_counts(self.request.dbsession, [self.request_type.id]).get(self.request_type.id, 0)
        return {
            "request_type": self.request_type,
            "form": form_html,
            "has_groups": bool(self.groups),
            "filed": filed,
            "list_url": self.request.resource_url(self.container),
            "groups_url": self.request.resource_url(self.container.__parent__, StaffGroupsContainer.segment, ""),
            "settings_nav": settings_nav(self.request, self.context),
        }

    @view_config(context=RequestTypesContainer, name="new", request_method=("GET", "HEAD"))
    def new(self):
        return self.page(self.form().render())

    @view_config(context=RequestTypeResource, name="", request_method=("GET", "HEAD"))
    def edit(self):
        return self.page(self.form().render(type_appstruct(self.request_type)))

    @view_config(context=RequestTypesContainer, name="new", request_method="POST")
    @view_config(context=RequestTypeResource, name="", request_method="POST")
    def save(self):
        form = self.form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(failure.render(), status=400)
        audit = self.request.find_service(IAuditService)
        try:
            request_type = save_request_type(self.request.dbsession, audit, type_values(appstruct),
                                             self.request_type)
        except SettingRefused as refused:
            return self.page(field_error(form, refused.field, refused.message), status=400)
        if self.request_type is None:
            message = _("The request type “${code}” has been created.", mapping={"code": request_type.code})
        else:
            message = _("The request type “${code}” has been saved.", mapping={"code": request_type.code})
        return saved(self.request, message, self.request.resource_url(self.container))


# --- the SLA per priority --------------------------------------------------------------
@view_defaults(context=SlaArea, permission=Permission.AdminWorkflows, renderer="portal:admin/templates/sla.pt")
class SlaViews:
    """One form for the four priorities; a priority never saved shows the default that applies to it."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def form(self):
        return deform.Form(SlaSchema().bind(request=self.request), buttons=(deform.Button("submit", _("Save")),),
                           formid="sla", action=self.request.resource_url(self.context))

    def page(self, form_html, status=200):
        self.request.response.status = status
        calendar = BusinessCalendar.from_settings(self.request.registry.settings)
        return {
            "rows": sla_table(self.request.dbsession),
            "labels": PRIORITY_LABELS,
            "calendar": calendar,
            "form": form_html,
            "settings_nav": settings_nav(self.request, self.context),
        }

    @view_config(request_method=("GET", "HEAD"))
    def show(self):
        rows = sla_table(self.request.dbsession)
        appstruct = {r.priority: {"resolve_hours": r.resolve_hours, "business_hours": r.business_hours}
                     for r in rows}
        return self.page(self.form().render(appstruct))

    @view_config(request_method="POST")
    def save(self):
        form = self.form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(failure.render(), status=400)
        values = {p: (appstruct[p]["resolve_hours"], appstruct[p]["business_hours"]) for p in PRIORITIES}
        changes = save_sla(self.request.dbsession, self.request.find_service(IAuditService), values)
        url = self.request.resource_url(self.context)
        if not changes:
            return saved(self.request, _("Nothing has changed."), url, "info")
        return saved(self.request, _("The SLA has been saved. It applies to tickets opened from now on."), url)
