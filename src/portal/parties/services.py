"""Who may see a party: said once, as SQL, and asked everywhere work or news of it goes to a person.

The rule is the one the party's ACL applies (parties/__init__.py and each work
package grant their view permissions alike): staff whose role sees every party
(security/roles.py), the party's managers, and its active members. The assign
guard, the assignee choices, the in-app notices and the e-mails ask it here, so
nobody is given an item, or told of one, whose page would answer 404.
"""
from sqlalchemy import Select, exists, or_, select

from portal.identity.models import User, UserRole, UserState
from portal.parties.models import ManagerAssignment, Membership, MembershipState, Party
from portal.security.roles import ALL_PARTIES_ROLES, sees_every_party


def _own(user_id, party_id):
    """SQL: ``user_id`` manages ``party_id`` or is an active member of it (correlated to the
    statements around it however deep it sits: users and parties come from there)."""
    return or_(
        exists().where(ManagerAssignment.user_id == user_id, ManagerAssignment.party_id == party_id)
        .correlate_except(ManagerAssignment),
        exists().where(Membership.user_id == user_id, Membership.party_id == party_id,
                       Membership.state == MembershipState.active.value).correlate_except(Membership),
    )


def sees_parties(user_id, party_ids):
    """SQL: whether the user ``user_id`` (a column such as ``User.id``, or a value) may see every
    party of ``party_ids``: by a role that sees every party, or as a manager or an active member of each."""
    ids = sorted(set(party_ids))
    every_party = exists().where(UserRole.user_id == user_id, UserRole.role.in_([r.value for r in ALL_PARTIES_ROLES]))
    if len(ids) == 1:
        return or_(every_party, _own(user_id, ids[0]))
    return or_(every_party, ~exists().where(Party.id.in_(ids), ~_own(user_id, Party.id)))


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
