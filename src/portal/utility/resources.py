"""The utility's part of the tree.

- ``/p/<id>/supply-points/`` and ``/p/<id>/supply-points/<point>/``: a party's supply points; the
  point's ``readings/new`` is the self-reading form of its meters.
- ``/p/<id>/readings/`` and ``/p/<id>/readings/<n>/``: the party's meter readings (workflow items).
- ``/readings/``: the staff's review queue of readings across the parties they see.

Every lookup starts from the party of the URL: another party's supply point or
reading is simply not found (404). The party's resources inherit its ACL.
"""
from pyramid.authorization import DENY_ALL, Allow
from sqlalchemy import select

from portal.db.ids import id_or_key_error
from portal.identity.models import Role
from portal.security.permissions import Permission
from portal.security.principals import role_principal
from portal.utility.models import Reading, SupplyPoint
from portal.utility.workflow import READING
from portal.workflows.resources import ItemContainer, WorkflowItem


class SupplyPointsContainer:
    """``/p/<id>/supply-points/``: the party's supply points, looked up by id within the party."""

    segment = "supply-points"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def query(self):
        """Every query for this list starts here: scoped to the party of the URL."""
        return select(SupplyPoint).where(SupplyPoint.party_id == self.party.id)

    def __getitem__(self, key):
        point = self.dbsession.scalars(self.query().where(SupplyPoint.id == id_or_key_error(key))).first()
        if point is None:
            raise KeyError(key)
        return SupplyPointResource(point, self)


class SupplyPointResource:
    """One supply point of the party."""

    def __init__(self, point: SupplyPoint, parent: SupplyPointsContainer):
        self.point = point
        self.__name__ = str(point.id)
        self.__parent__ = parent

    @property
    def party(self):
        return self.__parent__.party

    @property
    def party_resource(self):
        return self.__parent__.__parent__

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def __getitem__(self, name):
        if name == PointReadings.segment:
            return PointReadings(self)
        raise KeyError(name)


class PointReadings:
    """``/p/<id>/supply-points/<point>/readings/``: where the point's self-reading form lives (``new``)."""

    segment = "readings"

    def __init__(self, parent: SupplyPointResource):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def point(self):
        return self.__parent__.point

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession


class ReadingItem(WorkflowItem):
    workflow = READING


class ReadingsContainer(ItemContainer):
    """``/p/<id>/readings/``: the party's readings; the segment is the work kind's (its item URLs)."""

    segment = "readings"
    model = Reading
    item_factory = ReadingItem


REVIEW_ROLES = (Role.backoffice, Role.manager, Role.head)


class ReadingsReviewArea:
    """``/readings/``: readings waiting for review, of the parties this member of staff sees.

    The area lets in the roles named here and ends in DENY_ALL; deciding a
    reading is granted on its party (a manager: his own), and the head only reads.
    """

    segment = "readings"
    permission = Permission.ReadingsReview  # what opens it (the dashboard links here by it)

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def __acl__(self):
        return [(Allow, role_principal(role), self.permission) for role in REVIEW_ROLES] + [DENY_ALL]
