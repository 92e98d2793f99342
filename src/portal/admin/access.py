"""Who a user is and what it may do in the portal, as an administrator or the back office sets it:
a new user, its details, staff roles, and the parties it acts for (memberships, each with the user's
role in the party). Every change is written to the audit log with what it changed.

The principals are read from these rows on every request, so a change takes
effect on the user's next page, in every session, without logging out. A change
that makes a customer user claims its seat of the licence first (``seats``: the
limit, parties/licence.py), and is refused, changing nothing, past it.
"""
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.admin.services import SettingRefused
from portal.db.ids import parse_id
from portal.i18n import _
from portal.identity.auth import normalize_login
from portal.identity.models import Role, User, UserRole, UserState
from portal.parties.licence import SeatRefused, claim_seat
from portal.parties.models import MEMBERSHIP_ACTIONS, Membership, MembershipRole, MembershipState, Party

USER_FIELDS = ("email", "phone", "last_name", "first_name", "middle_name", "language")

ROLE_TITLES = {
    Role.backoffice: _("Back office"),
    Role.service: _("Service staff"),
    Role.manager: _("Account manager"),
    Role.head: _("Head"),
    Role.admin: _("Administrator"),
}
MEMBERSHIP_TITLES = {
    MembershipState.requested: _("requested"),
    MembershipState.active: _("active"),
    MembershipState.suspended: _("suspended"),
    MembershipState.revoked: _("ended"),
}
MEMBER_ROLE_TITLES = {
    MembershipRole.all: _("Everything (finance and operations)"),
    MembershipRole.finance: _("Finance"),
    MembershipRole.operations: _("Operations"),
}


def seat_for(session, seats, user: User | None) -> None:
    """Claim a seat of the licence for ``user`` (None: one about to be created), who is about to become
    a customer user; ``SettingRefused`` when none is free."""
    try:
        claim_seat(session, seats, None if user is None else user.id)
    except SeatRefused as refused:
        raise SettingRefused(refused.message) from None


def acts_for_a_party(user: User) -> bool:
    return any(m.state == MembershipState.active for m in user.memberships)


def _refuse_taken_login(session, login):
    if session.scalar(select(User.id).where(User.login == login).limit(1)) is not None:
        raise SettingRefused(_("The login “${login}” is taken. Choose another one.", mapping={"login": login}),
                             field="login")


def create_user(session, audit, values: dict, *, seats) -> User:
    """A new user with ``values`` (``login``, ``USER_FIELDS``, ``roles``, and optionally the ``party``
    it acts for, by reference, with its ``party_role``); it has no password until one is set."""
    login = normalize_login(values["login"])
    _refuse_taken_login(session, login)
    party = None
    if values.get("party"):
        party = _party_or_refuse(session, values["party"])
        if not values.get("roles"):
            seat_for(session, seats, None)
    user = User(login=login, **{name: values.get(name) or _blank(name) for name in USER_FIELDS})
    user.roles = [UserRole(role=Role(role).value) for role in sorted(values.get("roles") or ())]
    session.add(user)
    session.flush()
    detail = {name: getattr(user, name) for name in USER_FIELDS if getattr(user, name)}
    audit.record("user.create", f"user:{user.id}", login=login, roles=sorted(r.role for r in user.roles), **detail)
    if party is not None:
        membership = Membership(user_id=user.id, party_id=party.id, state=MembershipState.active.value,
                                role=MembershipRole(values.get("party_role") or MembershipRole.all).value)
        session.add(membership)
        session.flush()
        _audit_membership(audit, "membership.add", membership, party, None)
    return user


def _blank(name):
    """What a field left empty is stored as: names are never null, only empty."""
    return "" if name.endswith("_name") else None


def update_user(session, audit, user: User, values: dict) -> bool:
    """Set the user's ``USER_FIELDS``; False when they are what they were (audited with what changed)."""
    changes = {}
    for name in USER_FIELDS:
        new = values.get(name) or _blank(name)
        old = getattr(user, name)
        if (old or _blank(name)) != new:
            changes[name] = [old, new]
            setattr(user, name, new)
    if not changes:
        return False
    session.flush()
    audit.record("user.update", f"user:{user.id}", changes=changes)
    return True


def set_roles(session, audit, user: User, roles, *, acting_user_id, seats) -> bool:
    """Give ``user`` exactly ``roles``; False when they are what they were.

    An administrator cannot take the admin role from himself: the portal
    would be left, perhaps, with nobody to give it back. Taking every role
    from a user who acts for a party makes it a customer user: a seat of the licence.
    """
    current = {r.role for r in user.roles}
    wanted = {Role(role).value for role in roles}
    if user.id == acting_user_id and Role.admin in current and Role.admin not in wanted:
        raise SettingRefused(_("You cannot take the administrator role from yourself."), field="roles")
    if wanted == current:
        return False
    if current and not wanted and user.is_active and acts_for_a_party(user):
        seat_for(session, seats, user)
    for held in [r for r in user.roles if r.role not in wanted]:
        user.roles.remove(held)
    user.roles.extend(UserRole(role=role) for role in sorted(wanted - current))
    session.flush()
    audit.record("user.roles", f"user:{user.id}", changes={"roles": [sorted(current), sorted(wanted)]})
    return True


def memberships_of(session, user: User) -> list[Membership]:
    """The user's memberships with their parties, by party name."""
    return session.scalars(
        select(Membership).join(Membership.party).options(contains_eager(Membership.party))
        .where(Membership.user_id == user.id).order_by(Party.name, Party.id)
    ).all()


def find_party(session, ref: str) -> Party | None:
    """The party ``ref`` names: its id in the portal, else its accounting id."""
    party_id = parse_id(ref)
    party = session.get(Party, party_id) if party_id is not None else None
    if party is None:
        party = session.scalars(select(Party).where(Party.external_id == ref)).first()
    return party


def _audit_membership(audit, action, membership, party, old_state):
    audit.record(action, f"user:{membership.user_id}", party_id=party.id, party=party.name, role=membership.role,
                 changes={"state": [old_state, membership.state]})


def _party_or_refuse(session, ref) -> Party:
    party = find_party(session, ref)
    if party is None:
        raise SettingRefused(_("There is no party “${ref}”. Give its number in the portal or its accounting id.",
                               mapping={"ref": ref}), field="party")
    return party


def grant_party(session, audit, user: User, ref: str, role=MembershipRole.all, *, seats) -> Party:
    """Let ``user`` act for the party ``ref`` names in ``role``: a new active membership, or one
    requested, suspended or ended made active again (in ``role``)."""
    party = _party_or_refuse(session, ref)
    role = MembershipRole(role).value
    membership = session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.party_id == party.id)
    ).first()
    if membership is not None and membership.state == MembershipState.active:
        raise SettingRefused(_("${name} already acts for ${party}.",
                               mapping={"name": user.full_name, "party": party.name}), field="party")
    if user.is_active and not user.roles:
        seat_for(session, seats, user)
    if membership is None:
        membership = Membership(user_id=user.id, party_id=party.id, state=MembershipState.active.value, role=role)
        session.add(membership)
        session.flush()
        _audit_membership(audit, "membership.add", membership, party, None)
        return party
    old, membership.state, membership.role = membership.state, MembershipState.active.value, role
    session.flush()
    _audit_membership(audit, "membership.activate", membership, party, old)
    return party


def _own_membership(session, user: User, membership_id) -> Membership:
    membership = session.get(Membership, membership_id) if membership_id is not None else None
    if membership is None or membership.user_id != user.id:
        raise SettingRefused(_("This user does not act for that party."))
    return membership


def set_membership_state(session, audit, user: User, membership_id, state: MembershipState, *, seats) -> Party:
    """Make one of ``user``'s memberships active again, suspend it or end it (revoked); refused for
    another user's membership or one already in ``state``."""
    membership = _own_membership(session, user, membership_id)
    party = session.get(Party, membership.party_id)
    if membership.state == state:
        raise SettingRefused(_("Nothing has changed."))
    if state == MembershipState.active and user.is_active and not user.roles:
        seat_for(session, seats, user)
    old, membership.state = membership.state, state.value
    session.flush()
    _audit_membership(audit, MEMBERSHIP_ACTIONS[state], membership, party, old)
    return party


def set_membership_role(session, audit, user: User, membership_id, role) -> tuple[Party, bool]:
    """Set ``user``'s role in the party of one of its memberships; (the party, whether it changed)."""
    membership = _own_membership(session, user, membership_id)
    party = session.get(Party, membership.party_id)
    role = MembershipRole(role).value
    if membership.role == role:
        return party, False
    old, membership.role = membership.role, role
    session.flush()
    audit.record("membership.role", f"user:{user.id}", party_id=party.id, party=party.name,
                 changes={"role": [old, role]})
    return party, True


def unblock_user(session, audit, user: User, *, seats) -> None:
    """Let a blocked user in again; one who acts for a party as a customer claims its seat first."""
    if not user.roles and acts_for_a_party(user):
        seat_for(session, seats, user)
    user.state = UserState.active.value
    session.flush()
    audit.record("user.unblock", f"user:{user.id}")
