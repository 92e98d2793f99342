"""``/dashboard/``: how much work there is, by state, overdue and due today, each number a link to it."""
from pyramid.view import view_config

from ..i18n import _
from ..models.meta import utcnow
from ..resources.staff_areas import DashboardArea
from ..security.permissions import Permission
from ..services.dashboard import dashboard_counts
from ..services.due import today_bounds
from .queue import staff_scope

KIND_TITLES = {"request": _("Requests"), "ticket": _("Service tickets"), "change": _("Change requests")}


class Links:
    """Where each number leads: the queue filtered to it (requests, tickets), or the back office
    (change requests waiting for a decision).

    A number gets a link only where this user may open the area it leads to.
    """

    def __init__(self, request):
        self.request = request
        self.areas = {}
        for name in ("service", "backoffice"):
            try:
                area = request.root[name]
            except KeyError:
                continue
            if request.has_permission(Permission.QueueView, area):
                self.areas[name] = area

    def _queue(self, kind, **query):
        area = self.areas.get("service")
        return None if area is None else self.request.resource_url(area, query=dict(query, kind=kind, scope="all"))

    def state(self, kind, state):
        if kind != "change":
            return self._queue(kind, state=state)
        # The back office lists the change requests waiting for a decision, and only those.
        area = self.areas.get("backoffice")
        return self.request.resource_url(area) if area is not None and state == "submitted" else None

    def due(self, kind, due):
        return self._queue(kind, due=due)


@view_config(context=DashboardArea, name="", permission=Permission.DashboardView,
             request_method=("GET", "HEAD"), renderer="portal:templates/dashboard/dashboard.pt")
def dashboard(context, request):
    now = utcnow()
    today = today_bounds(request.registry["portal_tz"], now)
    return {
        "counts": dashboard_counts(request.dbsession, staff_scope(request), now=now, today=today),
        "titles": KIND_TITLES,
        "links": Links(request),
    }
