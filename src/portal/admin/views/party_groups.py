"""Administration of customer groups (party groups): the list and its export, creating, renaming,
the parties in a group, deleting. Every view asks for ``Permission.AdminWorkflows`` (admins only);
every change goes through admin/party_groups.py, which audits it."""
from pyramid.view import view_config, view_defaults
from sqlalchemy import func, select

from portal.admin import party_groups as service
from portal.admin.resources import PartyGroupResource, PartyGroupsContainer
from portal.admin.schemas import AddPartySchema, PartyGroupSchema
from portal.admin.services import SettingRefused
from portal.admin.views.settings import saved, settings_nav
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _
from portal.parties.models import PartyGroup, PartyGroupMember
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

PARTY_COUNT = (
    select(func.count()).where(PartyGroupMember.group_id == PartyGroup.id).correlate(PartyGroup).scalar_subquery()
)


@view_config(context=PartyGroupsContainer, name="", attr="page", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/party_groups.pt")
@view_config(context=PartyGroupsContainer, name="export.xlsx", attr="export", permission=Permission.AdminWorkflows,
             request_method=("GET", "HEAD"))
class PartyGroupList(ListView):
    """Every customer group with how many parties it holds, searched by name: the page and its export.
    Rows are (PartyGroup, parties)."""

    spec = ListSpec(
        columns=(Column(_("Name of the group"), lambda row: row.PartyGroup.name, width=40),
                 Column(_("Parties"), "parties", kind="number", width=10)),
        sorts={"name": PartyGroup.name, "parties": "parties"}, default_sort="name", tiebreak=PartyGroup.id,
        search=(PartyGroup.name,), title=_("Customer groups"), ascii_name="customer-groups", scalars=False,
    )

    def statement(self):
        return select(PartyGroup, PARTY_COUNT.label("parties"))

    def extra(self, page):
        return {"settings_nav": settings_nav(self.request, self.context)}


NEW_GROUP = dict(context=PartyGroupsContainer, name="new", permission=Permission.AdminWorkflows,
                 renderer="portal:admin/templates/party_group_new.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_GROUP)
@view_config(attr="post", request_method="POST", **NEW_GROUP)
class NewPartyGroupView(FormView):
    """Create a customer group by its name; its parties are added on its page."""

    schema_class = PartyGroupSchema
    formid = "party-group"

    def action(self):
        return self.request.resource_url(self.context, "new")

    def page(self, form_html):
        return {"form": form_html, "settings_nav": settings_nav(self.request, self.context)}

    def success(self, appstruct, upload):
        try:
            group = service.create_party_group(self.request.dbsession, self.request.find_service(IAuditService),
                                               appstruct["name"])
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return saved(self.request, _("The customer group “${name}” has been created. Now add its parties.",
                                     mapping={"name": group.name}),
                     self.request.resource_url(self.context, str(group.id), ""))


GROUP_PAGE = dict(context=PartyGroupResource, permission=Permission.AdminWorkflows,
                  renderer="portal:admin/templates/party_group.pt")


def group_page(request, context, *, rename_html=None, add_html=None, error=None) -> dict:
    db, group = request.dbsession, context.group
    if error is not None:
        request.response.status = 400
    return {
        "group": group,
        "parties": service.group_parties(db, group),
        "documents": service.documents_shown_to(db, group),
        "rename_form": rename_html or RenamePartyGroupView(context, request).form().render({"name": group.name}),
        "add_form": add_html or AddPartyView(context, request).form().render(),
        "error": error,
        "settings_nav": settings_nav(request, context),
    }


class PartyGroupForm(FormView):
    """A form on a group's page; refused, the whole page comes back with the form and its errors (400)."""

    slot = None

    def __init__(self, context, request):
        super().__init__(context, request)
        self.group = context.group
        self.db = request.dbsession
        self.audit = request.find_service(IAuditService)

    def page(self, form_html):
        return group_page(self.request, self.context, **{self.slot: form_html})


@view_config(name="rename", attr="post", request_method="POST", **GROUP_PAGE)
class RenamePartyGroupView(PartyGroupForm):
    schema_class = PartyGroupSchema
    formid = "rename-party-group"
    slot = "rename_html"

    def action(self):
        return self.request.resource_url(self.context, "rename")

    def success(self, appstruct, upload):
        try:
            renamed = service.rename_party_group(self.db, self.audit, self.group, appstruct["name"])
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        url = self.request.resource_url(self.context)
        if not renamed:
            return saved(self.request, _("Nothing has changed."), url, "info")
        return saved(self.request, _("The group has been renamed to “${name}”.", mapping={"name": self.group.name}),
                     url)


@view_config(name="add-party", attr="post", request_method="POST", **GROUP_PAGE)
class AddPartyView(PartyGroupForm):
    schema_class = AddPartySchema
    buttons = (("submit", _("Add")),)
    formid = "add-party"
    slot = "add_html"

    def action(self):
        return self.request.resource_url(self.context, "add-party")

    def success(self, appstruct, upload):
        try:
            party = service.add_party(self.db, self.audit, self.group, appstruct["party"])
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return saved(self.request, _("${name} is now in the group.", mapping={"name": party.name}),
                     self.request.resource_url(self.context))


@view_defaults(**GROUP_PAGE)
class PartyGroupViews:
    """One group's page, taking a party out, deleting the group; a refusal shows on the page (400)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.db = request.dbsession
        self.audit = request.find_service(IAuditService)

    @view_config(name="", request_method=("GET", "HEAD"))
    def show(self):
        return group_page(self.request, self.context)

    @view_config(name="remove-party", request_method="POST")
    def remove(self):
        party_id = parse_id(self.request.POST.get("party_id"))
        if party_id is None:
            return group_page(self.request, self.context, error=_("This party is not in the group."))
        try:
            party = service.remove_party(self.db, self.audit, self.context.group, party_id)
        except SettingRefused as refused:
            return group_page(self.request, self.context, error=refused.message)
        return saved(self.request, _("${name} is no longer in the group.", mapping={"name": party.name}),
                     self.request.resource_url(self.context))

    @view_config(name="delete", request_method="POST")
    def delete(self):
        name = self.context.group.name
        try:
            service.delete_party_group(self.db, self.audit, self.context.group)
        except SettingRefused as refused:
            return group_page(self.request, self.context, error=refused.message)
        return saved(self.request, _("The customer group “${name}” has been deleted.", mapping={"name": name}),
                     self.request.resource_url(self.context.__parent__))
