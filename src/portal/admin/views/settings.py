"""Administration of the workflows' settings: request types and the SLA per priority.

Staff groups, the third section of these settings, are in groups.py, the group
that answers messages in messages.py; the sub-navigation they share is here. Every view asks for
``Permission.AdminWorkflows``, which the admin area grants to admins only.
"""
import colander
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.traversal import find_interface, lineage
from pyramid.view import view_config
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from portal.admin.resources import (
    AdminArea,
    MessageSettingsArea,
    PartyGroupsContainer,
    RequestTypeResource,
    RequestTypesContainer,
    SlaArea,
    StaffGroupsContainer,
)
from portal.admin.schemas import RequestTypeSchema, SlaSchema
from portal.admin.services import SettingRefused, request_counts, save_request_type, save_sla
from portal.audit.interfaces import IAuditService
from portal.i18n import YES_NO, _, translate
from portal.requests.models import RequestType
from portal.security.permissions import Permission
from portal.staff.models import StaffGroup
from portal.tickets.sla import BusinessCalendar, service_levels
from portal.views.forms import FormView
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.navigation import NavItem
from portal.views.xlsx import Column
from portal.workflows.priorities import PRIORITIES, PRIORITY_LABELS, PRIORITY_RANK, priority_label

SECTIONS = (
    (RequestTypesContainer.segment, _("Request types")),
    (SlaArea.segment, _("SLA")),
    (StaffGroupsContainer.segment, _("Staff groups")),
    (MessageSettingsArea.segment, _("Messages")),
    (PartyGroupsContainer.segment, _("Customer groups")),
)
ACTIVE_FILTER = {"yes": True, "no": False}


def settings_nav(request, context) -> list[NavItem]:
    """The sections of the workflow settings, the one ``context`` lies in marked current."""
    admin = find_interface(context, AdminArea)
    current = next(r.__name__ for r in lineage(context) if r.__parent__ is admin)
    return [NavItem(title, request.resource_url(admin, segment, ""), segment == current)
            for segment, title in SECTIONS]


def saved(request, message, url, queue="success"):
    """Flash ``message`` and go to ``url`` (POST, then redirect, then GET)."""
    request.session.flash(translate(request, message), queue)
    return HTTPSeeOther(url)


# --- request types: the list and its export ----------------------------------------------
def type_sorts(request):
    return {
        "code": RequestType.code,
        "name": RequestType.names[request.locale_name].as_string(),
        "group": StaffGroup.name,
        "priority": case({p.value: rank for p, rank in PRIORITY_RANK.items()},
                         value=RequestType.default_priority, else_=-1),
        "due": RequestType.due_hours,
        "active": RequestType.active,
    }


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


@view_config(context=RequestTypesContainer, name="", attr="page", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/request_types.pt")
@view_config(context=RequestTypesContainer, name="export.xlsx", attr="export", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"))
class RequestTypeList(ListView):
    """Every request type, filtered by active and staff group, searched by code or name: page and export."""

    spec = ListSpec(
        columns=TYPE_EXPORT_COLUMNS,
        sorts=type_sorts, default_sort="code", tiebreak=RequestType.id,
        filters={
            "active": (lambda request, value: RequestType.active.is_(ACTIVE_FILTER[value]), set(ACTIVE_FILTER)),
            "group": (RequestType.group_id, ANY_ID),
        },
        search=(RequestType.code, RequestType.names["en"].as_string(), RequestType.names["ru"].as_string()),
        title=_("Request types"), ascii_name="request-types",
    )

    def statement(self):
        return (
            select(RequestType)
            .outerjoin(StaffGroup, StaffGroup.id == RequestType.group_id)
            .options(selectinload(RequestType.group))
        )

    def extra(self, page):
        db = self.request.dbsession
        return {
            "groups": all_groups(db),
            "counts": request_counts(db, [t.id for t in page.items]),
            "priority_label": priority_label,
            "yes_no": YES_NO,
            "settings_nav": settings_nav(self.request, self.context),
        }


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


TYPE_FORM = dict(permission=Permission.AdminWorkflows, renderer="portal:admin/templates/request_type.pt")


@view_config(context=RequestTypesContainer, name="new", attr="get", request_method=("GET", "HEAD"), **TYPE_FORM)
@view_config(context=RequestTypesContainer, name="new", attr="post", request_method="POST", **TYPE_FORM)
@view_config(context=RequestTypeResource, name="", attr="get", request_method=("GET", "HEAD"), **TYPE_FORM)
@view_config(context=RequestTypeResource, name="", attr="post", request_method="POST", **TYPE_FORM)
class RequestTypeForm(FormView):
    """Creating a request type (``new`` on the list) and editing one (its own page)."""

    schema_class = RequestTypeSchema
    formid = "request-type"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.request_type = getattr(context, "request_type", None)
        self.container = context if self.request_type is None else context.__parent__
        self.groups = all_groups(request.dbsession)

    def bind_kwargs(self):
        return {"groups": self.groups}

    def action(self):
        return self.request.resource_url(self.context, "new" if self.request_type is None else "")

    def appstruct(self):
        return colander.null if self.request_type is None else type_appstruct(self.request_type)

    def page(self, form_html):
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

    def success(self, appstruct, upload):
        audit = self.request.find_service(IAuditService)
        try:
            request_type = save_request_type(self.request.dbsession, audit, type_values(appstruct),
                                             self.request_type)
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        if self.request_type is None:
            message = _("The request type “${code}” has been created.", mapping={"code": request_type.code})
        else:
            message = _("The request type “${code}” has been saved.", mapping={"code": request_type.code})
        return saved(self.request, message, self.request.resource_url(self.container))


# --- the SLA per priority --------------------------------------------------------------
SLA_FORM = dict(context=SlaArea, name="", permission=Permission.AdminWorkflows,
                renderer="portal:admin/templates/sla.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **SLA_FORM)
@view_config(attr="post", request_method="POST", **SLA_FORM)
class SlaForm(FormView):
    """One form for the four priorities (hours, how counted, whether customers may choose it); a
    priority never saved shows the defaults that apply to it."""

    schema_class = SlaSchema
    formid = "sla"

    def action(self):
        return self.request.resource_url(self.context)

    def appstruct(self):
        return {r.priority: {"resolve_hours": r.resolve_hours, "business_hours": r.business_hours,
                             "customer_may_choose": r.customer_may_choose}
                for r in service_levels(self.request.dbsession)}

    def page(self, form_html):
        calendar = BusinessCalendar.from_settings(self.request.registry.settings)
        return {
            "rows": service_levels(self.request.dbsession),
            "labels": PRIORITY_LABELS,
            "calendar": calendar,
            "form": form_html,
            "settings_nav": settings_nav(self.request, self.context),
        }

    def success(self, appstruct, upload):
        values = {p: (appstruct[p]["resolve_hours"], appstruct[p]["business_hours"],
                      appstruct[p]["customer_may_choose"]) for p in PRIORITIES}
        try:
            changes = save_sla(self.request.dbsession, self.request.find_service(IAuditService), values)
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        url = self.request.resource_url(self.context)
        if not changes:
            return saved(self.request, _("Nothing has changed."), url, "info")
        return saved(self.request, _("The SLA has been saved. It applies to tickets opened from now on."), url)
