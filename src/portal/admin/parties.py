"""Parties and their contracts as administrators and the back office keep them: creating and editing a
party (its holding, its customer groups), its contracts, blocking and unblocking it.

Most parties arrive from the accounting system through the API; these are the hands-on
corrections and the parties that system does not know. Every change is audited through the
``IAuditService`` the caller passes; what the database would refuse (an accounting id or a contract
number taken) or what would make no holding (a party its own parent, a circle) is refused with a
``SettingRefused`` that says why, before anything is changed. The holding check is the API's own
(parties/services.py: ``set_parent``).
"""
from sqlalchemy import delete, exists, select

from portal.admin.access import find_party
from portal.admin.services import SettingRefused
from portal.i18n import _
from portal.identity.models import AuthSession, User, UserRole
from portal.parties.models import Contract, Membership, MembershipState, Party, PartyGroup, PartyGroupMember, PartyState
from portal.parties.services import HoldingRefused, set_parent

PARTY_FIELDS = ("name", "tax_id", "external_id", "address")
CONTRACT_FIELDS = ("number", "valid_from", "valid_to", "external_id")


def _refuse_taken(session, model, column, value, row=None, *, message, field, extra=()):
    if value is None:
        return
    taken = select(model.id).where(column == value, *extra)
    if row is not None and row.id is not None:
        taken = taken.where(model.id != row.id)
    if session.scalar(taken.limit(1)) is not None:
        raise SettingRefused(message, field=field)


def _parent(session, ref) -> Party | None:
    if not ref:
        return None
    parent = find_party(session, ref)
    if parent is None:
        raise SettingRefused(_("There is no party “${ref}”. Give its number in the portal or its accounting id.",
                               mapping={"ref": ref}), field="parent")
    return parent


def groups_of(session, party: Party) -> list[PartyGroup]:
    """The customer groups ``party`` is in, by name."""
    return session.scalars(
        select(PartyGroup).join(PartyGroupMember, PartyGroupMember.group_id == PartyGroup.id)
        .where(PartyGroupMember.party_id == party.id).order_by(PartyGroup.name)
    ).all()


def _set_groups(session, party: Party, group_ids) -> tuple[list[str], list[str]] | None:
    """Put ``party`` in exactly the groups ``group_ids``; (old names, new names), None when unchanged."""
    current = {g.id: g.name for g in groups_of(session, party)}
    wanted = {g.id: g.name for g in session.scalars(select(PartyGroup).where(PartyGroup.id.in_(group_ids)))}
    if len(wanted) != len(set(group_ids)):
        raise SettingRefused(_("This customer group no longer exists. Choose another one."), field="group_ids")
    if set(wanted) == set(current):
        return None
    session.execute(delete(PartyGroupMember).where(PartyGroupMember.party_id == party.id,
                                                   PartyGroupMember.group_id.not_in(wanted)))
    session.add_all(PartyGroupMember(group_id=g, party_id=party.id) for g in sorted(set(wanted) - set(current)))
    return sorted(current.values()), sorted(wanted.values())


def save_party(session, audit, values: dict, party: Party | None = None, **detail) -> Party:
    """Create a party (``party`` None) or change one: ``values`` holds ``PARTY_FIELDS``, ``parent`` (a
    reference: its number in the portal or its accounting id; empty for none) and ``group_ids``.
    ``detail`` goes into the audit entry (``via="console"``)."""
    fields = {name: values.get(name) for name in PARTY_FIELDS}
    _refuse_taken(session, Party, Party.external_id, fields["external_id"], party, field="external_id",
                  message=_("Another party has the accounting id “${id}”.", mapping={"id": fields["external_id"]}))
    parent = _parent(session, values.get("parent"))
    created = party is None
    if created:
        party = Party(**fields)
        changes = {name: value for name, value in fields.items() if value is not None}
    else:
        changes = {name: [getattr(party, name), value] for name, value in fields.items()
                   if getattr(party, name) != value}
        for name in changes:
            setattr(party, name, fields[name])
    old_parent = party.parent
    try:
        set_parent(party, parent)
    except HoldingRefused as refused:
        raise SettingRefused(refused.message, field="parent") from None
    if created:
        session.add(party)
    session.flush()
    groups = _set_groups(session, party, values.get("group_ids") or ())
    if created:
        if parent is not None:
            changes["parent"] = parent.name
        if groups is not None:
            changes["groups"] = groups[1]
        audit.record("party.create", f"party:{party.id}", **changes, **detail)
        return party
    if old_parent is not parent:
        changes["parent"] = [None if old_parent is None else old_parent.name, None if parent is None else parent.name]
    if groups is not None:
        changes["groups"] = list(groups)
    if changes:
        session.flush()
        audit.record("party.update", f"party:{party.id}", name=party.name, changes=changes, **detail)
    return party


def set_party_state(session, audit, party: Party, state: PartyState) -> None:
    """Block a party (its customer users' sessions end at once: their next page is the login) or
    unblock it; refused when it is so already."""
    if party.state == state:
        raise SettingRefused(_("Nothing has changed."))
    party.state = state.value
    if state == PartyState.blocked:
        # Its customers' sessions end; staff, who still see the party, stay logged in.
        members = select(Membership.user_id).where(Membership.party_id == party.id,
                                                   Membership.state == MembershipState.active.value,
                                                   ~exists().where(UserRole.user_id == Membership.user_id))
        session.execute(delete(AuthSession).where(AuthSession.user_id.in_(members)))
    session.flush()
    audit.record("party.block" if state == PartyState.blocked else "party.unblock", f"party:{party.id}",
                 name=party.name)


def members_of(session, party: Party) -> list[Membership]:
    """The party's memberships, each with its user, by the user's name."""
    return session.scalars(
        select(Membership).join(Membership.user).where(Membership.party_id == party.id)
        .order_by(User.last_name, User.first_name, User.login)
    ).all()


def contracts_of(session, party: Party) -> list[Contract]:
    return session.scalars(
        select(Contract).where(Contract.party_id == party.id).order_by(Contract.valid_from.desc(), Contract.id)
    ).all()


def _plain(value):
    """A contract's value as the audit log keeps it (a date as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def save_contract(session, audit, party: Party, values: dict, contract: Contract | None = None) -> Contract:
    """Add a contract to ``party`` (``contract`` None) or change one of its contracts; ``values`` holds
    ``CONTRACT_FIELDS`` (the period is the schema's to check)."""
    fields = {name: values.get(name) for name in CONTRACT_FIELDS}
    _refuse_taken(session, Contract, Contract.number, fields["number"], contract,
                  extra=(Contract.party_id == party.id,), field="number",
                  message=_("This party already has a contract numbered “${number}”.",
                            mapping={"number": fields["number"]}))
    _refuse_taken(session, Contract, Contract.external_id, fields["external_id"], contract, field="external_id",
                  message=_("Another contract has the accounting id “${id}”.", mapping={"id": fields["external_id"]}))
    if contract is None:
        contract = Contract(party_id=party.id, **fields)
        session.add(contract)
        session.flush()
        audit.record("contract.create", f"contract:{contract.id}", party_id=party.id, party=party.name,
                     **{name: _plain(value) for name, value in fields.items() if value is not None})
        return contract
    changes = {name: [getattr(contract, name), value] for name, value in fields.items()
               if getattr(contract, name) != value}
    if changes:
        for name, (_old, new) in changes.items():
            setattr(contract, name, new)
        session.flush()
        audit.record("contract.update", f"contract:{contract.id}", party_id=party.id, party=party.name,
                     number=contract.number,
                     changes={name: [_plain(old), _plain(new)] for name, (old, new) in changes.items()})
    return contract
