"""Who watches for new work: the staff a kind's ``watchers`` hook names when an item arrives.

A kind says, in its own package, which moves are news of new work and for whom
(``config.add_work_kind(..., watchers=...)``); the conditions here are the
pieces it builds that answer from: a staff group's members, the holders of a
role, a party's account managers. Each is a SQL condition on ``User.id``, so
notices.py can ask them together with the "may see the party" rule in one
statement: nobody hears of an item whose page would answer 404.
"""
from sqlalchemy import select

from portal.identity.models import Role, User, UserRole
from portal.parties.models import ManagerAssignment
from portal.staff.models import StaffGroupMember


def group_members(group_id: int):
    """SQL: the user is a member of the staff group ``group_id``."""
    return User.id.in_(select(StaffGroupMember.user_id).where(StaffGroupMember.group_id == group_id))


def role_holders(*roles: Role):
    """SQL: the user holds one of ``roles``."""
    return User.id.in_(select(UserRole.user_id).where(UserRole.role.in_([r.value for r in roles])))


def party_managers(party_id: int):
    """SQL: the user is an account manager of ``party_id`` and still holds the manager role (an
    assignment outliving the role names nobody who works the party any more)."""
    return User.id.in_(select(ManagerAssignment.user_id).where(ManagerAssignment.party_id == party_id)) \
        & role_holders(Role.manager)


def handlers(item):
    """SQL: the staff who work ``item`` from the queue: the group it is routed to, or, routed to
    none, everyone holding the service role (the queue shows them every unrouted item)."""
    return group_members(item.group_id) if item.group_id else role_holders(Role.service)
