"""Who sees every party and who handles work: said here once, asked everywhere.

Staff of the roles in ``ALL_PARTIES_ROLES`` see every party; a manager sees
only the parties assigned to him; a customer only those it is an active member of.
Work (requests, tickets, change requests) is handled by ``HANDLER_ROLES``: the head
reads and the administrator administers, neither is given work.
"""
from portal.identity.models import Role

ALL_PARTIES_ROLES = (Role.backoffice, Role.service, Role.head, Role.admin)
HANDLER_ROLES = (Role.service, Role.backoffice, Role.manager)


def sees_every_party(identity) -> bool:
    """True for staff whose roles let them see every party (not a manager of a few, not a customer)."""
    return identity is not None and any(identity.has_role(role) for role in ALL_PARTIES_ROLES)
