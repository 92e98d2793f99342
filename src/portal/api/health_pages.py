"""The integration's health on ``/admin/integration/`` (when each entity last arrived, the latest
calls), the call log ``/admin/integration/calls/`` and the inconsistencies
``/admin/integration/inconsistencies/`` with their "re-check". Admins only; a re-check is audited."""
from datetime import timedelta

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.api.entities import api_entities
from portal.api.health import alert_age, call_counts, entity_syncs, recent_calls
from portal.api.models import ApiCall, ApiInconsistency
from portal.api.resources import CallLog, Inconsistencies
from portal.api.services import recheck
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.db.meta import utcnow
from portal.i18n import _, translate
from portal.security.permissions import Permission
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

FAILED = (ApiCall.status >= 400) | (ApiCall.errors > 0)
MAX_RECHECK = 1000  # rows one re-check applies again: a page's worth many times over, bounded


def health_overview(request) -> dict:
    """The health section's values (the API keys page shows it above the keys)."""
    db, settings = request.dbsession, request.registry.settings
    max_age = alert_age(settings)
    return {
        "syncs": entity_syncs(db, api_entities(request.registry), max_age=max_age),
        "alert_hours": int(max_age.total_seconds() // 3600),
        "calls": recent_calls(db),
        "call_counts": call_counts(db, utcnow() - timedelta(days=1)),
    }


def call_columns(request):
    return (Column(_("Time"), "created_at", kind="datetime", width=18),
            Column(_("Key"), lambda c: c.key.name if c.key else None, width=24),
            Column(_("Method"), "method", width=8), Column(_("Endpoint"), "endpoint", width=40),
            Column(_("Status"), "status", kind="number", width=8), Column(_("Outcome"), "outcome", width=12),
            Column(_("Created"), "created", kind="number", width=9),
            Column(_("Updated"), "updated", kind="number", width=9),
            Column(_("Unchanged"), "unchanged", kind="number", width=10),
            Column(_("Errors"), "errors", kind="number", width=8),
            Column(_("Duration, ms"), "duration_ms", kind="number", width=12))


@view_config(context=CallLog, name="", attr="page", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"), renderer="portal:api/templates/calls.pt")
@view_config(context=CallLog, name="export.xlsx", attr="export", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"))
class CallList(ListView):
    """Every API call, newest first; those refused or with rows in error on their own."""

    spec = ListSpec(columns=call_columns, sorts={"time": ApiCall.id, "duration": ApiCall.duration_ms},
                    default_sort="-time", tiebreak=ApiCall.id.desc(),
                    filters={"failed": (lambda request, value: FAILED, {"1"})},
                    search=(ApiCall.endpoint,), title=_("API calls"), ascii_name="api-calls")

    def statement(self):
        return select(ApiCall).options(joinedload(ApiCall.key))


def inconsistency_columns(request):
    return (Column(_("Entity"), "entity", width=18), Column(_("External id"), "external_id", width=24),
            Column(_("Field"), "field", width=16), Column(_("Names"), "reference", width=24),
            Column(_("First seen"), "first_seen_at", kind="datetime", width=18),
            Column(_("Last sent"), "last_seen_at", kind="datetime", width=18),
            Column(_("Last re-checked"), "checked_at", kind="datetime", width=18))


class EntityNames:
    """The entity filter's allowed values: the registered entities (a vertical switched off leaves
    its rows listed, under their name)."""

    def __contains__(self, value) -> bool:
        # Compared as text (the shared filter would read digits as an id).
        return isinstance(value, str) and 0 < len(value) <= 40


@view_config(context=Inconsistencies, name="", attr="page", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"), renderer="portal:api/templates/inconsistencies.pt")
@view_config(context=Inconsistencies, name="export.xlsx", attr="export", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"))
class InconsistencyList(ListView):
    """Records stored without a link to what they name, oldest first, by entity."""

    spec = ListSpec(columns=inconsistency_columns,
                    sorts={"seen": ApiInconsistency.first_seen_at, "entity": ApiInconsistency.entity},
                    default_sort="seen", tiebreak=ApiInconsistency.id,
                    filters={"entity": (lambda request, value: ApiInconsistency.entity == value, EntityNames())},
                    search=(ApiInconsistency.external_id, ApiInconsistency.reference),
                    title=_("Inconsistencies"), ascii_name="api-inconsistencies")

    def statement(self):
        return select(ApiInconsistency)

    def extra(self, page):
        return {"entities": sorted(api_entities(self.request.registry))}


@view_config(context=Inconsistencies, name="recheck", request_method="POST", permission=Permission.AdminIntegration)
def recheck_view(context, request):
    """Apply the chosen rows (or all listed, up to a bound) again, now that what they name may be here."""
    ids = [i for i in (parse_id(v) for v in request.POST.getall("id")) if i is not None]
    statement = select(ApiInconsistency).order_by(ApiInconsistency.id).limit(MAX_RECHECK)
    if ids:
        statement = statement.where(ApiInconsistency.id.in_(ids))
    elif request.POST.get("all") != "1":
        request.session.flash(translate(request, _("Choose the records to re-check.")), "error")
        return HTTPSeeOther(request.resource_url(context))
    chosen = request.dbsession.scalars(statement).all()
    whole, still = recheck(request.dbsession, api_entities(request.registry), chosen)
    request.find_service(IAuditService).record("api.recheck", "api:inconsistencies", whole=whole, still=still)
    request.session.flash(translate(request, _(
        "Re-checked: ${whole} records are whole now, ${still} still name what has not arrived.",
        mapping={"whole": whole, "still": still})), "success" if not still else "info")
    return HTTPSeeOther(request.resource_url(context))
