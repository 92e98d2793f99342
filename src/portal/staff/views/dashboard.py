"""``/dashboard/``: how much work there is, by state, overdue and due today, each number a link to it."""
from pyramid.view import view_config

from portal.db.meta import utcnow
from portal.security.permissions import Permission
from portal.staff.dashboard import dashboard_counts
from portal.staff.resources import DashboardArea, ServiceArea
from portal.staff.views.queue import staff_scope
from portal.workflows.due import today_bounds
from portal.workflows.kinds import work_kinds


class Links:
    """Where each number leads: the queue filtered to it (kinds worked in the queue), or the staff
    area where a kind's items wait in one state (change requests waiting for a decision).

    A number gets a link only where this user may open the area it leads to.
    """

    def __init__(self, request, kinds):
        self.request = request
        self.kinds = {k.key: k for k in kinds}
        self.areas = {}
        names = {ServiceArea.segment} | {k.decided_in[0] for k in kinds if k.decided_in}
        for name in names:
            try:
                area = request.root[name]
            except KeyError:
                continue
            if request.has_permission(area.permission, area):
                self.areas[name] = area

    def _queue(self, kind, **query):
        area = self.areas.get(ServiceArea.segment)
        return None if area is None else self.request.resource_url(area, query=dict(query, kind=kind, scope="all"))

    def state(self, key, state):
        kind = self.kinds[key]
        if kind.in_queue:
            return self._queue(key, state=state)
        if kind.decided_in is None:
            return None
        area_name, waiting = kind.decided_in
        area = self.areas.get(area_name)
        return self.request.resource_url(area) if area is not None and state == waiting else None

    def due(self, key, due):
        return self._queue(key, due=due) if self.kinds[key].in_queue else None


@view_config(context=DashboardArea, name="", permission=Permission.DashboardView,
             request_method=("GET", "HEAD"), renderer="portal:staff/templates/dashboard.pt")
def dashboard(context, request):
    now = utcnow()
    today = today_bounds(request.registry["portal_tz"], now)
    kinds = [k for k in work_kinds(request.registry).values() if k.on_dashboard]
    return {
        "counts": dashboard_counts(request.dbsession, kinds, staff_scope(request), now=now, today=today),
        "links": Links(request, kinds),
    }
