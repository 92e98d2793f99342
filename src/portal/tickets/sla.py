"""Due times: a ticket's priority gives hours to resolve, counted around the clock or in business hours;
and which priorities a customer may open a ticket at (staff may give any)."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.tickets.models import SlaPolicy
from portal.workflows.priorities import PRIORITIES

# Used when an administrator has not configured a priority.
DEFAULT_HOURS = {"low": 120, "normal": 72, "high": 24, "critical": 4}
# Critical means someone drops everything: staff give it, customers ask for it unless allowed.
DEFAULT_CUSTOMER_CHOICE = frozenset({"low", "normal", "high"})


@dataclass(frozen=True)
class ServiceLevel:
    """The service level of one priority; ``configured`` is False while the defaults apply."""

    priority: str
    resolve_hours: int
    business_hours: bool
    customer_may_choose: bool
    configured: bool


def service_levels(session) -> list[ServiceLevel]:
    """Every priority, lowest first, with its configured policy or the defaults that stand in for it."""
    policies = {p.priority: p for p in session.scalars(select(SlaPolicy))}
    levels = []
    for priority in PRIORITIES:
        policy = policies.get(priority)
        if policy is None:
            levels.append(ServiceLevel(priority, DEFAULT_HOURS[priority], False,
                                       priority in DEFAULT_CUSTOMER_CHOICE, False))
        else:
            levels.append(ServiceLevel(priority, policy.resolve_hours, policy.business_hours,
                                       policy.customer_may_choose, True))
    return levels


def offered_levels(session, *, staff: bool) -> list[ServiceLevel]:
    """The priorities a new ticket may have: every one for staff, those customers may choose for the rest."""
    return [level for level in service_levels(session) if staff or level.customer_may_choose]


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
