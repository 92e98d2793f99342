"""What a user may do in the portal, as an administrator sets it: staff roles, and the parties the
user acts for (memberships). Every change is written to the audit log with what it changed.

The principals are read from these rows on every request, so a change takes
effect on the user's next page, in every session, without logging out.
"""
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.admin.services import SettingRefused
from portal.db.ids import parse_id
from portal.i18n import _
from portal.identity.models import Role, User, UserRole
from portal.parties.models import Membership, MembershipState, Party

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
    MembershipState.revoked: _("revoked"),
}


def set_roles(session, audit, user: User, roles, *, acting_user_id) -> bool:
    """Give ``user`` exactly ``roles``; False when they are what they were.

    An administrator cannot take the admin role from himself: the portal
    would be left, perhaps, with nobody to give it back.
    """
    current = {r.role for r in user.roles}
    wanted = {Role(role).value for role in roles}
    if user.id == acting_user_id and Role.admin in current and Role.admin not in wanted:
        raise SettingRefused(_("You cannot take the administrator role from yourself."), field="roles")
    if wanted == current:
        return False
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
    audit.record(action, f"user:{membership.user_id}", party_id=party.id, party=party.name,
                 changes={"state": [old_state, membership.state]})


def grant_party(session, audit, user: User, ref: str) -> Party:
    """Let ``user`` act for the party ``ref`` names: a new active membership, or one requested or
    revoked made active again."""
    party = find_party(session, ref)
    if party is None:
        raise SettingRefused(_("There is no party “${ref}”. Give its number in the portal or its accounting id.",
                               mapping={"ref": ref}), field="party")
    membership = session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.party_id == party.id)
    ).first()
    if membership is None:
        membership = Membership(user_id=user.id, party_id=party.id, state=MembershipState.active.value)
        session.add(membership)
        session.flush()
        _audit_membership(audit, "membership.add", membership, party, None)
        return party
    if membership.state == MembershipState.active:
        raise SettingRefused(_("${name} already acts for ${party}.",
                               mapping={"name": user.full_name, "party": party.name}), field="party")
    old, membership.state = membership.state, MembershipState.active.value
    session.flush()
    _audit_membership(audit, "membership.activate", membership, party, old)
    return party


def set_membership_state(session, audit, user: User, membership_id, state: MembershipState) -> Party:
    """Revoke one of ``user``'s memberships, or make it active again; refused for another user's
    membership or one already in ``state``."""
    membership = session.get(Membership, membership_id) if membership_id is not None else None
    if membership is None or membership.user_id != user.id:
        raise SettingRefused(_("This user does not act for that party."))
    party = session.get(Party, membership.party_id)
    if membership.state == state:
        raise SettingRefused(_("Nothing has changed."))
    old, membership.state = membership.state, state.value
    session.flush()
    action = "membership.revoke" if state == MembershipState.revoked else "membership.activate"
    _audit_membership(audit, action, membership, party, old)
    return party
