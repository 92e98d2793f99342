"""``/backoffice/``: the queue of change requests waiting for a decision.

The area lets back-office clerks, managers and the head in (the head to read:
deciding is granted on each party, and the head holds no ``changes:decide``
there); everybody else is refused. Which parties' requests a user sees is
decided by the queue's query, a manager seeing only his assigned parties.
"""
from ..models import Role
from ..security.permissions import Permission
from .staff_areas import StaffArea

# The URL segment; a class attribute ``__name__`` reads as the class's own name on the class itself.
SEGMENT = "backoffice"


class BackofficeArea(StaffArea):
    """``/backoffice/``: submitted change requests across the parties the user may decide."""

    __name__ = SEGMENT
    roles = (Role.backoffice, Role.manager, Role.head)
    permission = Permission.QueueView


def includeme(config):
    config.add_root_area(SEGMENT, BackofficeArea)
