"""Administration of staff groups: the list and its export, creating, renaming, members, deleting.

A group is what request types route work to and what "my group" queues show,
so only staff may be members, and a group that work is still routed to cannot
be deleted. Every view asks for ``Permission.AdminWorkflows`` (admins only).
"""
import deform
from pyramid.view import view_config, view_defaults
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.admin.resources import StaffGroupResource, StaffGroupsContainer
from portal.admin.schemas import AddMemberSchema, StaffGroupSchema
from portal.admin.services import (
    SettingRefused,
    add_member,
    create_group,
    delete_group,
    members_of,
    remove_member,
    rename_group,
    routed_types,
    staff_candidates,
)
from portal.admin.views.settings import saved, settings_nav
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _
from portal.security.permissions import Permission
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.views.downloads import xlsx_download
from portal.views.forms import field_error
from portal.views.listing import list_page
from portal.views.pagination import Listing
from portal.views.xlsx import Column

MEMBER_COUNT = (
    select(func.count()).where(StaffGroupMember.group_id == StaffGroup.id).correlate(StaffGroup).scalar_subquery()
)
GROUP_SORTS = {"name": StaffGroup.name, "members": MEMBER_COUNT}


def group_listing(params) -> Listing:
    """Groups searched by name and sorted as ``params`` say: the list page and its export."""
    return Listing.build(
        select(StaffGroup).options(selectinload(StaffGroup.members)), params,
        search=(StaffGroup.name,), sorts=GROUP_SORTS, default_sort="name", tiebreak=StaffGroup.id,
    )


def group_export_columns(types_by_group) -> tuple:
    def codes(group):
        return ", ".join(t.code for t in types_by_group.get(group.id, ())) or None

    return (
        Column(_("Name of the group"), "name", width=30),
        Column(_("Members"), lambda g: len(g.members), kind="number", width=10),
        Column(_("Member names"), lambda g: ", ".join(u.full_name for u in g.members) or None, width=60),
        Column(_("Request types"), codes, width=40),
    )


@view_config(context=StaffGroupsContainer, name="", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/groups.pt")
def group_list(context, request):
    listing = group_listing(request.params)
    page = list_page(request, listing.statement)
    return {
        "page": page,
        "q": listing.q,
        "sort": listing.sort,
        "types": routed_types(request.dbsession, [g.id for g in page.items]),
        "settings_nav": settings_nav(request, context),
        "export_url": request.resource_url(context, "export.xlsx", query=listing.query),
    }


@view_config(context=StaffGroupsContainer, name="export.xlsx", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"))
def group_export(context, request):
    """Every group the list finds, with its members and the request types routed to it, as .xlsx."""
    listing = group_listing(request.params)
    columns = group_export_columns(routed_types(request.dbsession, None))
    return xlsx_download(request, listing.statement, columns, title=_("Staff groups"), ascii_name="staff-groups")


def name_form(request, action, formid):
    return deform.Form(StaffGroupSchema().bind(request=request), buttons=(deform.Button("submit", _("Save")),),
                       formid=formid, action=action)


@view_defaults(context=StaffGroupsContainer, name="new", permission=Permission.AdminWorkflows,
               renderer="portal:admin/templates/group_new.pt")
class NewGroupViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def form(self):
        return name_form(self.request, self.request.resource_url(self.context, "new"), "staff-group")

    def page(self, form_html, status=200):
        self.request.response.status = status
        return {"form": form_html, "settings_nav": settings_nav(self.request, self.context)}

    @view_config(request_method=("GET", "HEAD"))
    def show(self):
        return self.page(self.form().render())

    @view_config(request_method="POST")
    def create(self):
        form = self.form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(failure.render(), status=400)
        try:
            group = create_group(self.request.dbsession, self.request.find_service(IAuditService), appstruct["name"])
        except SettingRefused as refused:
            return self.page(field_error(form, refused.field, refused.message), status=400)
        return saved(self.request, _("The staff group “${name}” has been created. Now add its members.",
                                     mapping={"name": group.name}),
                     self.request.resource_url(self.context, str(group.id), ""))


@view_defaults(context=StaffGroupResource, permission=Permission.AdminWorkflows,
               renderer="portal:admin/templates/group.pt")
class StaffGroupViews:
    """One group: rename it, list, add and remove members, delete it; a refusal shows on the page (400)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.group = context.group
        self.db = request.dbsession
        self.audit = request.find_service(IAuditService)

    def rename_form(self):
        return name_form(self.request, self.request.resource_url(self.context, "rename"), "rename-group")

    def add_form(self, candidates):
        schema = AddMemberSchema().bind(request=self.request, candidates=candidates)
        return deform.Form(schema, buttons=(deform.Button("submit", _("Add")),), formid="add-member",
                           action=self.request.resource_url(self.context, "add-member"))

    def page(self, *, rename_html=None, add_html=None, error=None):
        candidates = staff_candidates(self.db, self.group)
        if error is not None or rename_html is not None or add_html is not None:
            self.request.response.status = 400
        return {
            "group": self.group,
            "members": members_of(self.db, self.group),
            "types": routed_types(self.db, [self.group.id]).get(self.group.id, []),
            "types_url": self.request.resource_url(self.context.__parent__.__parent__, "request-types", ""),
            "rename_form": rename_html or self.rename_form().render({"name": self.group.name}),
            "add_form": add_html or (self.add_form(candidates).render() if candidates else None),
            "error": error,
            "settings_nav": settings_nav(self.request, self.context),
        }

    def back(self, message):
        return saved(self.request, message, self.request.resource_url(self.context))

    @view_config(name="", request_method=("GET", "HEAD"))
    def show(self):
        return self.page()

    @view_config(name="rename", request_method="POST")
    def rename(self):
        form = self.rename_form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(rename_html=failure.render())
        try:
            renamed = rename_group(self.db, self.audit, self.group, appstruct["name"])
        except SettingRefused as refused:
            return self.page(rename_html=field_error(form, refused.field, refused.message))
        if not renamed:
            return saved(self.request, _("Nothing has changed."), self.request.resource_url(self.context), "info")
        return self.back(_("The group has been renamed to “${name}”.", mapping={"name": self.group.name}))

    @view_config(name="add-member", request_method="POST")
    def add(self):
        form = self.add_form(staff_candidates(self.db, self.group))
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(add_html=failure.render())
        try:
            user = add_member(self.db, self.audit, self.group, int(appstruct["user_id"]))
        except SettingRefused as refused:
            return self.page(add_html=field_error(form, refused.field, refused.message))
        return self.back(_("${name} is now a member of the group.", mapping={"name": user.full_name}))

    @view_config(name="remove-member", request_method="POST")
    def remove(self):
        user_id = parse_id(self.request.POST.get("user_id"))
        if user_id is None:
            return self.page(error=_("This user is not a member of the group."))
        try:
            user = remove_member(self.db, self.audit, self.group, user_id)
        except SettingRefused as refused:
            return self.page(error=refused.message)
        return self.back(_("${name} is no longer a member of the group.", mapping={"name": user.full_name}))

    @view_config(name="delete", request_method="POST")
    def delete(self):
        name = self.group.name
        try:
            delete_group(self.db, self.audit, self.group)
        except SettingRefused as refused:
            return self.page(error=refused.message)
        return saved(self.request, _("The staff group “${name}” has been deleted.", mapping={"name": name}),
                     self.request.resource_url(self.context.__parent__))
