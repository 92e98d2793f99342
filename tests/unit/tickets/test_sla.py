"""Due times: business hours stay within working hours, never go back, grow with the hours; 24/7 is plain
addition; daylight saving in Europe/Prague moves nothing it should not."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from portal.db.meta import Base
from portal.tickets.models import SlaPolicy
from portal.tickets.sla import (
    DEFAULT_CUSTOMER_CHOICE,
    DEFAULT_HOURS,
    BusinessCalendar,
    due_at,
    offered_levels,
    service_levels,
)
from portal.workflows.priorities import PRIORITIES

PRAGUE = ZoneInfo("Europe/Prague")
CALENDARS = {
    "utc": BusinessCalendar(),
    "prague": BusinessCalendar(tz=PRAGUE, start=time(8), end=time(17)),
    "moscow": BusinessCalendar.from_settings({"portal.timezone": "Europe/Moscow", "portal.business_hours": "9-18"}),
}

# Moments over several years, so every weekday and both DST changes of each year come up.
moments = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(timezone.utc),
)
work_hours = st.integers(min_value=1, max_value=200)
calendars = st.sampled_from(sorted(CALENDARS))


@settings(max_examples=300, deadline=None)
@given(calendars, moments, work_hours)
def test_business_due_time_lies_within_working_hours_of_a_working_day(name, start, hours):
    calendar = CALENDARS[name]
    due = calendar.add(start, hours)
    local = due.astimezone(calendar.tz)
    assert local.weekday() in calendar.weekdays
    assert calendar.start < local.time() <= calendar.end or local.time() == calendar.end
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, work_hours)
def test_business_due_time_is_never_earlier_than_the_start(name, start, hours):
    due = CALENDARS[name].add(start, hours)
    assert due > start
    # Working time passes no faster than the clock: the due time is at least ``hours`` away.
    assert due >= start + timedelta(hours=hours)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, work_hours, work_hours)
def test_business_due_time_grows_with_the_hours(name, start, fewer, more):
    fewer, more = sorted((fewer, more))
    calendar = CALENDARS[name]
    assert calendar.add(start, fewer) <= calendar.add(start, more)
    if fewer < more:
        assert calendar.add(start, fewer) < calendar.add(start, more)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, work_hours, work_hours)
def test_working_hours_add_up(name, start, first, second):
    """Working a hours and then b hours ends where working a + b hours ends."""
    calendar = CALENDARS[name]
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@pytest.mark.parametrize("start,hours,expected", [
    # Friday 16:00 CET + 3 working hours (8-17): 1 on Friday, 2 on Monday, which is already summer time.
    (datetime(2024, 3, 29, 16, 0, tzinfo=PRAGUE), 3, datetime(2024, 4, 1, 10, 0, tzinfo=PRAGUE)),
    # The same over the autumn change: Monday is winter time again.
    (datetime(2024, 10, 25, 16, 0, tzinfo=PRAGUE), 3, datetime(2024, 10, 28, 10, 0, tzinfo=PRAGUE)),
    # Saturday night of the spring change: counting starts Monday 8:00 CEST.
    (datetime(2025, 3, 29, 23, 30, tzinfo=PRAGUE), 2, datetime(2025, 3, 31, 10, 0, tzinfo=PRAGUE)),
])
def test_daylight_saving_in_prague(start, hours, expected):
    due = CALENDARS["prague"].add(start, hours)
    assert due == expected
    assert due.astimezone(PRAGUE).hour == expected.hour  # wall-clock hours, whatever the offset


def test_the_dst_weekend_shifts_the_utc_result_by_the_offset_change():
    calendar = CALENDARS["prague"]
    before = calendar.add(datetime(2024, 3, 29, 14, 0, tzinfo=timezone.utc), 3)  # Friday 15:00 CET
    assert before == datetime(2024, 4, 1, 7, 0, tzinfo=timezone.utc)  # Monday 9:00 CEST = 7:00 UTC


# One in-memory database on one connection, whichever thread asks.
ENGINE = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})


def policy_session(*policies) -> Session:
    """A session on an in-memory database holding only ``policies`` (rolled back after each example)."""
    Base.metadata.create_all(ENGINE, tables=[SlaPolicy.__table__])
    session = Session(ENGINE)
    session.add_all(policies)
    session.flush()
    return session


@settings(max_examples=100, deadline=None)
@given(moments, st.sampled_from(sorted(DEFAULT_HOURS)), work_hours)
def test_around_the_clock_due_time_is_start_plus_hours(start, priority, hours):
    with policy_session(SlaPolicy(priority=priority, resolve_hours=hours, business_hours=False)) as session:
        assert due_at(session, priority, start, CALENDARS["prague"]) == start + timedelta(hours=hours)


@settings(max_examples=100, deadline=None)
@given(moments, st.sampled_from(sorted(DEFAULT_HOURS)), work_hours)
def test_a_business_hours_policy_counts_with_the_calendar(start, priority, hours):
    calendar = CALENDARS["prague"]
    with policy_session(SlaPolicy(priority=priority, resolve_hours=hours, business_hours=True)) as session:
        assert due_at(session, priority, start, calendar) == calendar.add(start, hours)
        # Another priority's policy is not this one's.
        other = next(p for p in sorted(DEFAULT_HOURS) if p != priority)
        assert due_at(session, other, start, calendar) == start + timedelta(hours=DEFAULT_HOURS[other])


@given(moments, st.sampled_from(sorted(DEFAULT_HOURS)))
def test_without_a_policy_the_default_hours_apply_around_the_clock(start, priority):
    with policy_session() as session:
        assert due_at(session, priority, start, CALENDARS["utc"]) == start + timedelta(hours=DEFAULT_HOURS[priority])


# --- which priorities a new ticket may have ---------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(DEFAULT_HOURS)), st.booleans()))
def test_customers_are_offered_the_allowed_priorities_staff_every_one(allowed):
    policies = [SlaPolicy(priority=p, resolve_hours=DEFAULT_HOURS[p], business_hours=False, customer_may_choose=may)
                for p, may in allowed.items()]
    with policy_session(*policies) as session:
        expected = [p for p in PRIORITIES if allowed.get(p, p in DEFAULT_CUSTOMER_CHOICE)]
        assert [level.priority for level in offered_levels(session, staff=False)] == expected
        assert [level.priority for level in offered_levels(session, staff=True)] == list(PRIORITIES)
        assert [level.configured for level in service_levels(session)] == [p in allowed for p in PRIORITIES]


def test_by_default_critical_is_for_staff_only():
    with policy_session() as session:
        assert [level.priority for level in offered_levels(session, staff=False)] == ["low", "normal", "high"]
