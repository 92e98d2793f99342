"""Who may see a party: said once, as SQL, and asked everywhere work or news of it goes to a person.

The rule is the one the party's ACL applies (parties/__init__.py and each work
package grant their view permissions alike): staff whose role sees every party
(security/roles.py), the party's managers, and its active members (none while it is blocked). The assign
guard, the assignee choices, the in-app notices and the e-mails ask it here, so
nobody is given an item, or told of one, whose page would answer 404.
"""
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import aliased

from portal.i18n import _
from portal.identity.models import User, UserRole, UserState
from portal.parties.models import ManagerAssignment, Membership, MembershipState, Party, PartyState
from portal.security.roles import ALL_PARTIES_ROLES, sees_every_party


def _manages(user_id, party_id):
    """SQL: ``user_id`` is assigned as a manager of ``party_id`` (correlated to the statement around it)."""
    return (exists().where(ManagerAssignment.user_id == user_id, ManagerAssignment.party_id == party_id)
            .correlate_except(ManagerAssignment))


def _sees_every_party(user_id):
    """SQL: ``user_id`` holds a role that sees every party."""
    return exists().where(UserRole.user_id == user_id, UserRole.role.in_([r.value for r in ALL_PARTIES_ROLES]))


def _own(user_id, party_id):
    """SQL: ``user_id`` manages ``party_id`` or is an active member of it, the party not blocked
    (correlated to the statements around it however deep it sits: users and parties come from there)."""
    member_of = aliased(Party)
    return or_(
        _manages(user_id, party_id),
        exists().where(Membership.user_id == user_id, Membership.party_id == party_id,
                       Membership.state == MembershipState.active.value,
                       member_of.id == Membership.party_id, member_of.state == PartyState.active.value)
        .correlate_except(Membership, member_of),
    )


def sees_parties(user_id, party_ids):
    """SQL: whether the user ``user_id`` (a column such as ``User.id``, or a value) may see every
    party of ``party_ids``: by a role that sees every party, or as a manager or an active member of each."""
    ids = sorted(set(party_ids))
    every_party = _sees_every_party(user_id)
    if len(ids) == 1:
        return or_(every_party, _own(user_id, ids[0]))
    return or_(every_party, ~exists().where(Party.id.in_(ids), ~_own(user_id, Party.id)))


def member_sees_party(member, party):
    """SQL, over an active membership ``member`` joined to its ``party``: whether the member may see that
    party. It is ``sees_parties`` for a user already known to be the party's active member, which leaves
    the party not blocked, or a role that sees every party, or an assignment as its manager; asked so
    (rather than as ``sees_parties``, which looks the membership up again) where a batch reads the
    members of a thousand parties at once."""
    return or_(party.state == PartyState.active.value, _sees_every_party(member.user_id),
               _manages(member.user_id, party.id))


def party_viewers(party_ids):
    """The ids of the active users who may see every party of ``party_ids`` (a select)."""
    return select(User.id).where(User.state == UserState.active.value, sees_parties(User.id, party_ids))


def may_see_party(session, user_id: int, party_id: int) -> bool:
    """Whether the active user ``user_id`` may see the party ``party_id``."""
    return session.scalar(party_viewers([party_id]).where(User.id == user_id)) is not None


def visible_party_ids(identity) -> Select | None:
    """The ids of the parties a logged-in ``identity`` may see (a select, for an IN filter), read from
    the principals it was loaded with; None when its role sees every party (no filter needed)."""
    if sees_every_party(identity):
        return None
    ids = sorted(set(identity.party_ids) | set(identity.managed_party_ids))
    return select(Party.id).where(Party.id.in_(ids))


class HoldingRefused(Exception):
    """A parent that would make no holding: ``message`` (translatable) says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def set_parent(party: Party, parent: Party | None) -> None:
    """Make ``parent`` the holding ``party`` belongs to (None: none); refused when it is the party itself
    or one of the party's own members, however deep (a circle of holdings)."""
    if parent is not None:
        if parent is party:
            raise HoldingRefused(_("A party cannot be its own parent."))
        ancestor = parent
        while ancestor is not None:
            if ancestor is party:
                raise HoldingRefused(_("The parent would make a circle of holdings."))
            ancestor = ancestor.parent
    party.parent = parent
