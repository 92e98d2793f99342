"""Administration of parties (administrators and the back office: ``Permission.AdminParties``): the list
and its export, a new party, a party's page (its record with its holding and customer groups, its
contracts, its members), blocking and unblocking it, its contracts added and edited. Every change goes
through admin/parties.py, which audits it."""
import colander
from pyramid.traversal import find_interface
from pyramid.view import view_config, view_defaults
from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.admin import parties as service
from portal.admin.access import MEMBER_ROLE_TITLES, MEMBERSHIP_TITLES
from portal.admin.resources import ContractResource, ContractsContainer, PartiesContainer, PartyAdminResource
from portal.admin.schemas import ContractSchema, PartySchema
from portal.admin.services import SettingRefused
from portal.admin.views.settings import saved
from portal.audit.interfaces import IAuditService
from portal.i18n import _
from portal.parties.models import Party, PartyGroup, PartyState
from portal.security.permissions import Permission
from portal.views.forms import FormRefused, FormView
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

PARTY_STATE_LABELS = {PartyState.active.value: _("active"), PartyState.blocked.value: _("blocked")}
HOLDING = aliased(Party, name="parent")  # a party's parent, for its name on the list


def admin_panel(context, request):
    """The party home's link to the party's administration page, for those who administer parties."""
    try:
        resource = request.root["admin"][PartiesContainer.segment][str(context.party.id)]
    except KeyError:
        return None
    if not request.has_permission(Permission.AdminParties, resource):
        return None
    return {"url": request.resource_url(resource)}


@view_config(context=PartiesContainer, name="", attr="page", permission=Permission.AdminParties,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/parties.pt")
@view_config(context=PartiesContainer, name="export.xlsx", attr="export", permission=Permission.AdminParties,
             request_method=("GET", "HEAD"))
class AdminPartyList(ListView):
    """Every party with its holding and state, searched by name, tax id or accounting id and filtered by
    state: the page and its export. Rows are (Party, holding)."""

    spec = ListSpec(
        columns=(
            Column(_("Name"), lambda row: row.Party.name, width=40),
            Column(_("Tax id"), lambda row: row.Party.tax_id, width=16),
            Column(_("Accounting id"), lambda row: row.Party.external_id, width=20),
            Column(_("Holding"), "holding", width=30),
            Column(_("State"), lambda row: PARTY_STATE_LABELS.get(row.Party.state, row.Party.state), width=12),
            Column(_("Created"), lambda row: row.Party.created_at, kind="datetime", width=18),
        ),
        sorts={"name": Party.name, "tax_id": Party.tax_id, "external_id": Party.external_id, "state": Party.state,
               "created": Party.created_at},
        default_sort="name", tiebreak=Party.id,
        filters={"state": (Party.state, tuple(PARTY_STATE_LABELS))},
        search=(Party.name, Party.tax_id, Party.external_id),
        title=_("Parties"), ascii_name="admin-parties", scalars=False,
    )

    def statement(self):
        return select(Party, HOLDING.name.label("holding")).outerjoin(HOLDING, HOLDING.id == Party.parent_id)


def group_choices(request) -> list[PartyGroup]:
    return request.dbsession.scalars(select(PartyGroup).order_by(PartyGroup.name, PartyGroup.id)).all()


def party_values(request, party: Party) -> dict:
    """What the edit form shows of ``party`` (its holding by accounting id, else by number)."""
    parent = party.parent
    return {
        **{name: getattr(party, name) or "" for name in service.PARTY_FIELDS},
        "parent": "" if parent is None else (parent.external_id or str(parent.id)),
        "group_ids": {str(g.id) for g in service.groups_of(request.dbsession, party)},
    }


def _values(appstruct) -> dict:
    return dict(appstruct, group_ids=[int(g) for g in appstruct["group_ids"]])


NEW_PARTY = dict(context=PartiesContainer, name="new", permission=Permission.AdminParties,
                 renderer="portal:admin/templates/party_new.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_PARTY)
@view_config(attr="post", request_method="POST", **NEW_PARTY)
class NewPartyView(FormView):
    """A new party (one the accounting system does not send, or not yet); contracts are added on its page."""

    schema_class = PartySchema
    buttons = (("submit", _("Create the party")),)
    formid = "party"

    def bind_kwargs(self):
        return {"groups": group_choices(self.request)}

    def action(self):
        return self.request.resource_url(self.context, "new")

    def success(self, appstruct, upload):
        try:
            party = service.save_party(self.request.dbsession, self.request.find_service(IAuditService),
                                       _values(appstruct))
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return saved(self.request, _("The party “${name}” has been created.", mapping={"name": party.name}),
                     self.request.resource_url(self.context, str(party.id), ""))


PARTY_PAGE = dict(context=PartyAdminResource, permission=Permission.AdminParties,
                  renderer="portal:admin/templates/party.pt")


def party_page(request, context, *, edit_html=None, error=None) -> dict:
    db, party = request.dbsession, context.party
    if error is not None:
        request.response.status = 400
    return {
        "party": party,
        "edit_form": edit_html or EditPartyView(context, request).form().render(party_values(request, party)),
        "contracts": service.contracts_of(db, party),
        "members": service.members_of(db, party),
        "membership_titles": MEMBERSHIP_TITLES,
        "member_role_titles": MEMBER_ROLE_TITLES,
        "may_open_users": request.has_permission(Permission.AdminUsers, context),
        "error": error,
    }


@view_config(name="edit", attr="post", request_method="POST", **PARTY_PAGE)
class EditPartyView(FormView):
    """The party's record, holding and customer groups; refused, the whole page comes back (400)."""

    schema_class = PartySchema
    formid = "edit-party"

    def bind_kwargs(self):
        return {"groups": group_choices(self.request)}

    def action(self):
        return self.request.resource_url(self.context, "edit")

    def page(self, form_html):
        return party_page(self.request, self.context, edit_html=form_html)

    def success(self, appstruct, upload):
        party = self.context.party
        try:
            service.save_party(self.request.dbsession, self.request.find_service(IAuditService), _values(appstruct),
                               party)
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return saved(self.request, _("The party “${name}” has been saved.", mapping={"name": party.name}),
                     self.request.resource_url(self.context))


@view_defaults(request_method="POST", **PARTY_PAGE)
class PartyStateViews:
    """Block a party (its customers' sessions end at once, it disappears for them) or unblock it."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    @view_config(name="", request_method=("GET", "HEAD"))
    def show(self):
        return party_page(self.request, self.context)

    @view_config(name="block")
    def block(self):
        return self._set(PartyState.blocked, _("The party has been blocked; its users' sessions have ended."))

    @view_config(name="unblock")
    def unblock(self):
        return self._set(PartyState.active, _("The party has been unblocked."))

    def _set(self, state, message):
        try:
            service.set_party_state(self.request.dbsession, self.request.find_service(IAuditService),
                                    self.context.party, state)
        except SettingRefused as refused:
            return party_page(self.request, self.context, error=refused.message)
        return saved(self.request, message, self.request.resource_url(self.context))


class ContractForm(FormView):
    """A contract of the party: added (``contracts/new``) or edited (on its own page); the party's page
    lists them."""

    schema_class = ContractSchema
    formid = "contract"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.contract = getattr(context, "contract", None)
        self.party_resource = find_interface(context, PartyAdminResource)

    def appstruct(self):
        if self.contract is None:
            return super().appstruct()
        return {name: getattr(self.contract, name) or "" for name in service.CONTRACT_FIELDS}

    def page(self, form_html):
        return {"form": form_html, "party": self.context.party, "contract": self.contract,
                "party_url": self.request.resource_url(self.party_resource)}

    def success(self, appstruct, upload):
        try:
            contract = service.save_contract(self.request.dbsession, self.request.find_service(IAuditService),
                                             self.context.party, appstruct, self.contract)
        except SettingRefused as refused:
            # Rendered from the values taken: deform cannot serialize a date field's submitted text again.
            form = self.form()
            error = colander.Invalid(form.schema, "")
            error[refused.field] = refused.message
            form.widget.handle_error(form, error)
            raise FormRefused(form.render(appstruct)) from None
        return saved(self.request, _("The contract ${number} has been saved.", mapping={"number": contract.number}),
                     self.request.resource_url(self.party_resource))


CONTRACT = dict(permission=Permission.AdminParties, renderer="portal:admin/templates/contract.pt")


@view_config(context=ContractsContainer, name="new", attr="get", request_method=("GET", "HEAD"), **CONTRACT)
@view_config(context=ContractsContainer, name="new", attr="post", request_method="POST", **CONTRACT)
class NewContractView(ContractForm):
    buttons = (("submit", _("Add the contract")),)

    def action(self):
        return self.request.resource_url(self.context, "new")


@view_config(context=ContractResource, name="", attr="get", request_method=("GET", "HEAD"), **CONTRACT)
@view_config(context=ContractResource, name="", attr="post", request_method="POST", **CONTRACT)
class EditContractView(ContractForm):
    pass
