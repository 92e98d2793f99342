"""The advance payment and schedule state rules at their edges, in Python and in SQL (they must agree),
and the schedule upsert's refusals and replacements."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.finance.models import (
    AdvancePayment,
    AdvanceSchedule,
    AdvanceState,
    payment_state_conditions,
    schedule_state_conditions,
)
from portal.finance.services.advances import PlannedPayment, upsert_advance_schedule
from portal.finance.services.records import RecordRefused
from tests.factories import ContractFactory, PartyFactory

TODAY = date(2026, 5, 20)
D = Decimal


def payment(amount="100.00", paid="0.00", due=TODAY):
    return AdvancePayment(amount=D(amount), paid_amount=D(paid), due_date=due)


def test_a_payment_at_the_edges_of_its_states():
    planned = payment()
    assert planned.state_on(TODAY) == AdvanceState.planned  # due today is not yet overdue
    assert planned.state_on(TODAY + timedelta(days=1)) == AdvanceState.overdue
    part = payment(paid="99.99")  # paid in part: planned until due, overdue after, 0.01 left
    assert part.state_on(TODAY) == AdvanceState.planned and part.state_on(TODAY + timedelta(days=1)) == AdvanceState.overdue
    assert part.remainder == D("0.01")
    paid = payment(paid="100.00")
    assert paid.state_on(TODAY + timedelta(days=999)) == AdvanceState.paid and paid.remainder == 0
    over = payment(paid="120.00")
    assert over.state_on(TODAY) == AdvanceState.paid and over.remainder == 0


def test_a_schedule_is_overdue_while_one_payment_is_and_paid_when_all_are():
    schedule = AdvanceSchedule(payments=[payment(paid="100.00", due=TODAY - timedelta(days=30)),
                                         payment(paid="40.00", due=TODAY), payment(due=TODAY + timedelta(days=30))])
    assert schedule.state_on(TODAY) == AdvanceState.planned
    assert schedule.state_on(TODAY + timedelta(days=1)) == AdvanceState.overdue
    assert (schedule.planned_amount, schedule.paid_amount, schedule.remainder) == (D("300.00"), D("140.00"), D("160.00"))
    for p in schedule.payments:
        p.paid_amount = p.amount
    schedule.payments[0].paid_amount = D("150.00")  # paid beyond one: the others' remainders are not lowered
    assert schedule.state_on(TODAY + timedelta(days=999)) == AdvanceState.paid
    assert schedule.remainder == 0 and schedule.paid_amount == D("350.00")


money = st.decimals(min_value=D("0.01"), max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
paid_money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
planned_payment = st.tuples(money, paid_money, st.integers(-5, 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(planned_payment, min_size=1, max_size=4))
def test_python_and_sql_agree_on_the_states(dbsession, rows):
    party = PartyFactory()
    contract = ContractFactory(party=party)
    schedule = upsert_advance_schedule(
        dbsession, external_id=f"U-ADV-{party.id}", party_id=party.id, contract_id=contract.id, number="A-1",
        issue_date=TODAY, period_start=TODAY, period_end=TODAY,
        payments=[PlannedPayment(TODAY + timedelta(days=offset), amount, paid) for amount, paid, offset in rows])
    for p in schedule.payments:
        holding = [state for state, condition in payment_state_conditions(TODAY).items()
                   if dbsession.scalar(select(AdvancePayment.id).where(AdvancePayment.id == p.id, condition))]
        assert holding == [p.state_on(TODAY)]
    holding = [state for state, condition in schedule_state_conditions(TODAY).items()
               if dbsession.scalar(select(AdvanceSchedule.id).where(AdvanceSchedule.id == schedule.id, condition))]
    assert holding == [schedule.state_on(TODAY)]
    dbsession.delete(schedule)
    dbsession.flush()


def test_the_upsert_replaces_the_payments_and_refuses_nonsense(dbsession):
    party, other = PartyFactory(), PartyFactory()
    contract, foreign = ContractFactory(party=party), ContractFactory(party=other)
    common = dict(external_id="U-ADV-1", party_id=party.id, number="A-1", issue_date=TODAY, period_start=TODAY,
                  period_end=TODAY + timedelta(days=90))
    first = upsert_advance_schedule(dbsession, contract_id=contract.id, payments=[
        PlannedPayment(TODAY, D("10.00")), PlannedPayment(TODAY + timedelta(days=30), D("10.00"))], **common)
    again = upsert_advance_schedule(dbsession, contract_id=contract.id, payments=[
        PlannedPayment(TODAY + timedelta(days=60), D("25.00"), D("5.00"), TODAY)], **common)
    assert again is first and [(p.position, p.amount, p.paid_amount) for p in again.payments] == [(1, 25, 5)]
    assert dbsession.scalar(select(func.count()).select_from(AdvancePayment).where(
        AdvancePayment.schedule_id == first.id)) == 1
    refusals = [
        dict(common, contract_id=foreign.id, payments=[PlannedPayment(TODAY, D("1.00"))]),  # another party's contract
        dict(common, contract_id=contract.id, payments=[]),
        dict(common, contract_id=contract.id, payments=[PlannedPayment(TODAY, D("0.00"))]),
        dict(common, contract_id=contract.id, payments=[PlannedPayment(TODAY, D("1.00"), D("-1.00"))]),
        dict(common, contract_id=contract.id, period_end=TODAY - timedelta(days=1),
             payments=[PlannedPayment(TODAY, D("1.00"))]),
        dict(common, party_id=other.id, contract_id=foreign.id, payments=[PlannedPayment(TODAY, D("1.00"))]),
    ]
    for values in refusals:
        with pytest.raises(RecordRefused):
            upsert_advance_schedule(dbsession, **values)
    dbsession.expire_all()
    assert dbsession.get(AdvanceSchedule, first.id).party_id == party.id
