"""``/admin/request-types/``, ``/admin/sla/``, ``/admin/groups/``: how workflow items are routed and timed;
``/admin/outbox/``: how their e-mails are delivered.

None of these resources has an ACL of its own: the admin area's (``Permission.AdminWorkflows``
for the admin role, then DENY_ALL) covers them and everything below them.
"""
from ..models import RequestType, StaffGroup
from .ids import parse_id  # noqa: F401  (views import it from here too)


def _by_id(dbsession, model, key):
    """The row whose id is the URL segment ``key``; KeyError (404) for anything else."""
    row_id = parse_id(key)
    row = None if row_id is None else dbsession.get(model, row_id)
    if row is None:
        raise KeyError(key)
    return row


class _AdminChild:
    """A section of the admin area; ``segment`` is its URL segment."""

    segment = ""

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession


class RequestTypesContainer(_AdminChild):
    """``/admin/request-types/``: the list; ``<id>/`` one type; ``new`` is a view name."""

    segment = "request-types"

    def __getitem__(self, key):
        return RequestTypeResource(_by_id(self.dbsession, RequestType, key), self)


class RequestTypeResource:
    """One request type, as administered."""

    def __init__(self, request_type: RequestType, parent: RequestTypesContainer):
        self.request_type = request_type
        self.__name__ = str(request_type.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession


class SlaArea(_AdminChild):
    """``/admin/sla/``: hours to resolve a ticket, per priority."""

    segment = "sla"


class OutboxArea(_AdminChild):
    """``/admin/outbox/``: the e-mails waiting, sent and failed; failed ones can be sent again."""

    segment = "outbox"


class StaffGroupsContainer(_AdminChild):
    """``/admin/groups/``: the list; ``<id>/`` one group; ``new`` is a view name."""

    segment = "groups"

    def __getitem__(self, key):
        return StaffGroupResource(_by_id(self.dbsession, StaffGroup, key), self)


class StaffGroupResource:
    """One staff group with its members."""

    def __init__(self, group: StaffGroup, parent: StaffGroupsContainer):
        self.group = group
        self.__name__ = str(group.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession


def includeme(config):
    for child in (RequestTypesContainer, SlaArea, StaffGroupsContainer, OutboxArea):
        config.add_admin_child(child.segment, child)
