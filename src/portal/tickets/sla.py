"""Due times: a ticket's priority gives hours to resolve, counted around the clock or in business hours."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.tickets.models import SlaPolicy

# Used when an administrator has not configured a priority.
DEFAULT_HOURS = {"low": 120, "normal": 72, "high": 24, "critical": 4}


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours on working weekdays in the company's time zone."""

    tz: ZoneInfo = ZoneInfo("UTC")
    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays: frozenset = frozenset({0, 1, 2, 3, 4})

    @classmethod
    def from_settings(cls, settings):
        start_h, end_h = (int(x) for x in settings.get("portal.business_hours", "9-18").split("-"))
        return cls(tz=ZoneInfo(settings.get("portal.timezone", "UTC")), start=time(start_h), end=time(end_h))

    def add(self, moment: datetime, hours: float) -> datetime:
        """``moment`` plus ``hours`` of working time; the result lies within working hours."""
        remaining = timedelta(hours=hours)
        local = moment.astimezone(self.tz)
        while True:
            day = local.date()
            if day.weekday() in self.weekdays:
                opens = datetime.combine(day, self.start, self.tz)
                closes = datetime.combine(day, self.end, self.tz)
                begin = max(local, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(timezone.utc)
                    remaining -= available
            local = datetime.combine(day + timedelta(days=1), time(0), self.tz)


def due_at(session, priority: str, start: datetime, calendar: BusinessCalendar) -> datetime:
    """When a ticket of ``priority`` opened at ``start`` must be resolved."""
    policy = session.scalars(select(SlaPolicy).where(SlaPolicy.priority == priority)).first()
    hours = policy.resolve_hours if policy else DEFAULT_HOURS.get(priority, DEFAULT_HOURS["normal"])
    if policy is not None and policy.business_hours:
        return calendar.add(start, hours)
    return start + timedelta(hours=hours)
