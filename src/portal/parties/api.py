"""Parties, contracts and memberships as entities of the integration API (``/api/v1/parties``,
``/api/v1/contracts``, ``/api/v1/memberships``)."""
import colander
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.api.entities import RowError
from portal.api.nodes import choice_node, external_id_node, optional_text, reference_node
from portal.api.references import by_external_id
from portal.audit.services import write_entry
from portal.i18n import _
from portal.identity.auth import normalize_login
from portal.identity.models import User
from portal.parties.licence import SeatRefused, claim_seat, licence_limit
from portal.parties.models import MEMBERSHIP_ACTIONS, Contract, Membership, MembershipRole, MembershipState, Party
from portal.parties.schemas import ContractApiSchema, PartyApiSchema
from portal.parties.services import HoldingRefused, set_parent

PARTY_FIELDS = ("name", "tax_id", "address", "billing_address", "contact_person", "email", "phone")


def find_party(db, external_id):
    return db.scalars(select(Party).where(Party.external_id == external_id)).first()


def referenced_party(db, field, external_id) -> Party:
    party = find_party(db, external_id)
    if party is None:
        raise RowError(field, _("No party has the external id ${id}.", mapping={"id": external_id}))
    return party


def party_values(party: Party) -> dict:
    values = {name: getattr(party, name) for name in PARTY_FIELDS}
    values["external_id"] = party.external_id
    values["parent"] = party.parent.external_id if party.parent is not None else None
    return values


def apply_party(db, party, values):
    if party is None:
        party = Party(external_id=values["external_id"])
        db.add(party)
    for name in PARTY_FIELDS:
        if name in values:
            setattr(party, name, values[name])
    if "parent" in values:
        ref = values["parent"]
        if ref is None:
            party.parent = None
        elif ref == values["external_id"]:
            raise RowError("parent", _("A party cannot be its own parent."))
        else:
            try:
                set_parent(party, referenced_party(db, "parent", ref))
            except HoldingRefused as refused:
                raise RowError("parent", refused.message) from None
    return party


def find_contract(db, external_id):
    return db.scalars(select(Contract).where(Contract.external_id == external_id)).first()


def contract_values(contract: Contract) -> dict:
    return {"external_id": contract.external_id, "party": contract.party.external_id, "number": contract.number,
            "valid_from": contract.valid_from, "valid_to": contract.valid_to}


def apply_contract(db, contract, values):
    party = referenced_party(db, "party", values["party"])
    if contract is None:
        contract = Contract(external_id=values["external_id"])
        db.add(contract)
    contract.party = party
    for name in ("number", "valid_from", "valid_to"):
        if name in values:
            setattr(contract, name, values[name])
    return contract


# The states a row may put a membership in (a user asks for one), and the audit log's action for
# each, as an administrator's (admin/access.py).


def _names_its_user(node, values):
    if values.get("user") is None and values.get("login") is None:
        raise colander.Invalid(node["user"], _("Name the user by its external id or its login."))


def _login(value):
    return normalize_login(value) if isinstance(value, str) else value


class MembershipApiSchema(colander.MappingSchema):
    description = _("A user acting for a party in a role; only an active membership lets the user in. The user "
                    "is named by its external id, or by its login when it has none.")

    external_id = external_id_node(title=_("External id"))
    user = reference_node(title=_("User (external id)"))
    login = optional_text(64, preparer=_login, title=_("User (login)"))
    party = external_id_node(title=_("Party (external id)"))
    role = choice_node(MembershipRole, missing=colander.drop, title=_("Role in the party"))
    state = choice_node(MEMBERSHIP_ACTIONS, missing=colander.drop, title=_("State"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_names_its_user, **kw)


def find_membership(db, external_id):
    return by_external_id(db, Membership, external_id, joinedload(Membership.user), joinedload(Membership.party))


def membership_values(membership: Membership) -> dict:
    return {"external_id": membership.external_id, "user": membership.user.external_id,
            "login": membership.user.login, "party": membership.party.external_id, "role": membership.role,
            "state": membership.state}


def referenced_user(db, values) -> User:
    """The user a row names by external id, or by login; both given, they must name the same one."""
    by_id = by_login = None
    if values.get("user") is not None:
        by_id = db.scalars(select(User).where(User.external_id == values["user"])).first()
        if by_id is None:
            raise RowError("user", _("No user has the external id ${id}.", mapping={"id": values["user"]}))
    if values.get("login") is not None:
        by_login = db.scalars(select(User).where(User.login == values["login"])).first()
        if by_login is None:
            raise RowError("login", _("No user has the login ${login}.", mapping={"login": values["login"]}))
    if by_id is not None and by_login is not None and by_id is not by_login:
        raise RowError("login", _("The login ${login} is another user's.", mapping={"login": values["login"]}))
    return by_id or by_login


def _audit(db, membership: Membership, party: Party, action: str, changes: dict) -> None:
    write_entry(db, action, f"user:{membership.user_id}", party_id=party.id, party=party.name,
                role=membership.role, changes=changes, via="api")


def _claim_seat(db, seats, user: User) -> None:
    """A user about to act for a party as a customer takes a seat of the licence (parties/licence.py)."""
    if user.is_active and not user.roles:
        try:
            claim_seat(db, seats, user.id)
        except SeatRefused as refused:
            raise RowError("state", refused.message) from None


def _set_state(db, seats, membership: Membership, party: Party, state: str) -> None:
    if membership.state == state:
        return
    if state == MembershipState.active:
        _claim_seat(db, seats, membership.user)
    old, membership.state = membership.state, state
    db.flush()
    _audit(db, membership, party, MEMBERSHIP_ACTIONS[state], {"state": [old, state]})


def _set_role(db, membership: Membership, party: Party, role: str) -> None:
    if membership.role == role:
        return
    old, membership.role = membership.role, role
    db.flush()
    _audit(db, membership, party, "membership.role", {"role": [old, role]})


def apply_membership(seats, db, membership, values):
    """A row for a user and party that have a membership already (an administrator's) takes it over."""
    party = referenced_party(db, "party", values["party"])
    user = referenced_user(db, values)
    if membership is not None and (membership.user_id, membership.party_id) != (user.id, party.id):
        raise RowError("party", _("A membership cannot move to another user or party."))
    if membership is None:
        membership = db.scalars(select(Membership).where(Membership.user_id == user.id,
                                                         Membership.party_id == party.id)).first()
        if membership is not None and membership.external_id is not None:
            raise RowError("party", _("The user already acts for the party under the external id ${id}.",
                                      mapping={"id": membership.external_id}))
    if membership is None:
        state = values.get("state") or MembershipState.active.value
        if state == MembershipState.active:
            _claim_seat(db, seats, user)
        membership = Membership(user=user, party=party, state=state, external_id=values["external_id"],
                                role=values.get("role") or MembershipRole.all.value)
        db.add(membership)
        db.flush()
        _audit(db, membership, party, "membership.add", {"state": [None, state]})
        return membership
    if membership.external_id is None:  # taken over: it is what the row says, active unless it says otherwise
        membership.external_id = values["external_id"]
        values = dict(values, state=values.get("state") or MembershipState.active.value)
    if values.get("role") is not None:
        _set_role(db, membership, party, values["role"])
    if values.get("state") is not None:
        _set_state(db, seats, membership, party, values["state"])
    return membership


def revoke_membership(db, membership):
    """A membership is never removed: it ends (revoked), and can be made active again."""
    _set_state(db, None, membership, membership.party, MembershipState.revoked.value)
    db.flush()


def includeme(config):
    config.include("portal.api.entities")
    registry = config.registry
    config.add_api_entity("parties", schema=PartyApiSchema, find=find_party, current=party_values,
                          apply=apply_party, title="Party")
    config.add_api_entity("contracts", schema=ContractApiSchema, find=find_contract, current=contract_values,
                          apply=apply_contract, title="Contract")
    config.add_api_entity("memberships", schema=MembershipApiSchema, find=find_membership,
                          current=membership_values, delete=revoke_membership, title="Membership",
                          apply=lambda db, membership, values: apply_membership(licence_limit(registry), db,
                                                                                membership, values))
