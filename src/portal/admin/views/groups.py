"""Administration of staff groups: the list and its export, creating, renaming, members, deleting.

A group is what request types route work to and what "my group" queues show,
so only staff may be members, and a group that work is still routed to cannot
be deleted. Every view asks for ``Permission.AdminWorkflows`` (admins only).
"""
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
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

MEMBER_COUNT = (
    select(func.count()).where(StaffGroupMember.group_id == StaffGroup.id).correlate(StaffGroup).scalar_subquery()
)


def group_export_columns(request) -> tuple:
    types_by_group = routed_types(request.dbsession, None)

    def codes(group):
        return ", ".join(t.code for t in types_by_group.get(group.id, ())) or None

    return (
        Column(_("Name of the group"), "name", width=30),
        Column(_("Members"), lambda g: len(g.members), kind="number", width=10),
        Column(_("Member names"), lambda g: ", ".join(u.full_name for u in g.members) or None, width=60),
        Column(_("Request types"), codes, width=40),
    )


@view_config(context=StaffGroupsContainer, name="", attr="page", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/groups.pt")
@view_config(context=StaffGroupsContainer, name="export.xlsx", attr="export", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"))
class StaffGroupList(ListView):
    """Every staff group, searched by name; the export adds its members and the request types routed to it."""

    spec = ListSpec(
        columns=group_export_columns,
        sorts={"name": StaffGroup.name, "members": MEMBER_COUNT}, default_sort="name", tiebreak=StaffGroup.id,
        search=(StaffGroup.name,),
        title=_("Staff groups"), ascii_name="staff-groups",
    )

    def statement(self):
        return select(StaffGroup).options(selectinload(StaffGroup.members))

    def extra(self, page):
        return {
            "types": routed_types(self.request.dbsession, [g.id for g in page.items]),
            "settings_nav": settings_nav(self.request, self.context),
        }


NEW_GROUP = dict(context=StaffGroupsContainer, name="new", permission=Permission.AdminWorkflows,
                 renderer="portal:admin/templates/group_new.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_GROUP)
@view_config(attr="post", request_method="POST", **NEW_GROUP)
class NewGroupView(FormView):
    """Create a staff group by its name; its members are added on its page."""

    schema_class = StaffGroupSchema
    formid = "staff-group"

    def action(self):
        return self.request.resource_url(self.context, "new")

    def page(self, form_html):
        return {"form": form_html, "settings_nav": settings_nav(self.request, self.context)}

    def success(self, appstruct, upload):
        try:
            group = create_group(self.request.dbsession, self.request.find_service(IAuditService), appstruct["name"])
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return saved(self.request, _("The staff group “${name}” has been created. Now add its members.",
                                     mapping={"name": group.name}),
                     self.request.resource_url(self.context, str(group.id), ""))


GROUP_PAGE = dict(context=StaffGroupResource, permission=Permission.AdminWorkflows,
                  renderer="portal:admin/templates/group.pt")


def group_page(request, context, *, rename_html=None, add_html=None, error=None) -> dict:
    """The group's page: members, the request types routed to it, the rename and add-member forms."""
    db = request.dbsession
    group = context.group
    candidates = staff_candidates(db, group)
    if error is not None:
        request.response.status = 400
    return {
        "group": group,
        "members": members_of(db, group),
        "types": routed_types(db, [group.id]).get(group.id, []),
        "types_url": request.resource_url(context.__parent__.__parent__, "request-types", ""),
        "rename_form": rename_html or RenameGroupView(context, request).form().render({"name": group.name}),
        "add_form": add_html or (AddMemberView(context, request, candidates).form().render() if candidates else None),
        "error": error,
        "settings_nav": settings_nav(request, context),
    }


class GroupForm(FormView):
    """A form on a group's page; refused, the whole page comes back with the form and its errors (400)."""

    slot = None  # the group_page() argument the refused form goes to

    def __init__(self, context, request):
        super().__init__(context, request)
        self.group = context.group
        self.db = request.dbsession
        self.audit = request.find_service(IAuditService)

    def page(self, form_html):
        return group_page(self.request, self.context, **{self.slot: form_html})

    def back(self, message):
        return saved(self.request, message, self.request.resource_url(self.context))


@view_config(name="rename", attr="post", request_method="POST", **GROUP_PAGE)
class RenameGroupView(GroupForm):
    """Rename the group; a name another group has is refused."""

    schema_class = StaffGroupSchema
    formid = "rename-group"
    slot = "rename_html"

    def action(self):
        return self.request.resource_url(self.context, "rename")

    def success(self, appstruct, upload):
        try:
            renamed = rename_group(self.db, self.audit, self.group, appstruct["name"])
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        if not renamed:
            return saved(self.request, _("Nothing has changed."), self.request.resource_url(self.context), "info")
        return self.back(_("The group has been renamed to “${name}”.", mapping={"name": self.group.name}))


@view_config(name="add-member", attr="post", request_method="POST", **GROUP_PAGE)
class AddMemberView(GroupForm):
    """Add a member of staff to the group (only staff who are not members yet are offered)."""

    schema_class = AddMemberSchema
    buttons = (("submit", _("Add")),)
    formid = "add-member"
    slot = "add_html"

    def __init__(self, context, request, candidates=None):
        super().__init__(context, request)
        self.candidates = staff_candidates(self.db, self.group) if candidates is None else candidates

    def bind_kwargs(self):
        return {"candidates": self.candidates}

    def action(self):
        return self.request.resource_url(self.context, "add-member")

    def success(self, appstruct, upload):
        try:
            user = add_member(self.db, self.audit, self.group, int(appstruct["user_id"]))
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return self.back(_("${name} is now a member of the group.", mapping={"name": user.full_name}))


@view_defaults(**GROUP_PAGE)
class StaffGroupViews:
    """One group's page, removing a member, deleting the group; a refusal shows on the page (400)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.group = context.group
        self.db = request.dbsession
        self.audit = request.find_service(IAuditService)

    def page(self, error=None):
        return group_page(self.request, self.context, error=error)

    def back(self, message):
        return saved(self.request, message, self.request.resource_url(self.context))

    @view_config(name="", request_method=("GET", "HEAD"))
    def show(self):
        return self.page()

    @view_config(name="remove-member", request_method="POST")
    def remove(self):
        user_id = parse_id(self.request.POST.get("user_id"))
        if user_id is None:
            return self.page(_("This user is not a member of the group."))
        try:
            user = remove_member(self.db, self.audit, self.group, user_id)
        except SettingRefused as refused:
            return self.page(refused.message)
        return self.back(_("${name} is no longer a member of the group.", mapping={"name": user.full_name}))

    @view_config(name="delete", request_method="POST")
    def delete(self):
        name = self.group.name
        try:
            delete_group(self.db, self.audit, self.group)
        except SettingRefused as refused:
            return self.page(refused.message)
        return saved(self.request, _("The staff group “${name}” has been deleted.", mapping={"name": name}),
                     self.request.resource_url(self.context.__parent__))
