"""How the integration is doing, for the admin: when each entity last arrived, the calls of late with
their errors, and the records that reference what never arrived.

An entity "arrived" when a call upserting it succeeded (every row applied, or some: a partial batch
is still a sync). The alert age is ``portal.api.sync_alert_hours`` (default 26: a nightly sync with
some slack); an entity that never arrived is shown, not alerted, until one ever has.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.api.models import ApiCall, ApiInconsistency
from portal.db.meta import utcnow

ALERT_SETTING = "portal.api.sync_alert_hours"
DEFAULT_ALERT_HOURS = 26
SYNCED = ("ok", "partial")  # the outcomes of a call that wrote what it could
RECENT_CALLS = 10
PREFIX = "/api/v1/"


def alert_age(settings) -> timedelta:
    return timedelta(hours=int(settings.get(ALERT_SETTING, DEFAULT_ALERT_HOURS)))


@dataclass(frozen=True)
class EntitySync:
    """One entity's last arrival, and whether it is older than the alert age."""

    name: str
    title: str
    last: datetime | None
    stale: bool
    inconsistencies: int


def entity_syncs(db, entities, *, max_age: timedelta, now=None) -> list[EntitySync]:
    """Every registered entity, by name, with its last successful upsert and open inconsistencies."""
    now = now or utcnow()
    endpoints = {PREFIX + name: name for name in entities}
    last = dict(db.execute(
        select(ApiCall.endpoint, func.max(ApiCall.created_at))
        .where(ApiCall.method == "POST", ApiCall.endpoint.in_(sorted(endpoints)), ApiCall.outcome.in_(SYNCED))
        .group_by(ApiCall.endpoint)).all())
    open_ = dict(db.execute(select(ApiInconsistency.entity, func.count()).group_by(ApiInconsistency.entity)).all())
    return [EntitySync(name=name, title=entity.title, last=last.get(PREFIX + name),
                       stale=last.get(PREFIX + name) is not None and now - last[PREFIX + name] > max_age,
                       inconsistencies=open_.get(name, 0))
            for name, entity in sorted(entities.items())]


def recent_calls(db, limit=RECENT_CALLS) -> list[ApiCall]:
    return db.scalars(select(ApiCall).order_by(ApiCall.id.desc()).limit(limit)).all()


def call_counts(db, since: datetime) -> dict:
    """Calls since ``since``: how many, how many refused or with rows in error."""
    total, failed = db.execute(select(
        func.count(), func.count().filter((ApiCall.status >= 400) | (ApiCall.errors > 0)))
        .where(ApiCall.created_at >= since)).one()
    return {"total": total, "failed": failed}
