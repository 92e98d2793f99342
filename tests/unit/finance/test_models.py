"""The invoice state rule, in Python and in SQL (they must agree), and the arithmetic of a line."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.finance.models import Invoice, InvoiceState, invoice_state, state_conditions
from portal.finance.services.invoices import line_amounts
from tests.factories import PartyFactory

TODAY = date(2026, 5, 20)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=money, paid=money, due_offset=st.integers(-40, 40), cancelled=st.booleans())
def test_python_and_sql_agree_on_the_state(dbsession, total, paid, due_offset, cancelled):
    party = PartyFactory()
    due = TODAY + timedelta(days=due_offset)
    invoice = Invoice(party_id=party.id, number="S-1", issue_date=due - timedelta(days=50), due_date=due,
                      currency="RUB", net_amount=total, vat_amount=Decimal("0.00"), total_amount=total,
                      paid_amount=paid, cancelled=cancelled)
    dbsession.add(invoice)
    dbsession.flush()
    expected = invoice.state_on(TODAY)
    by_sql = dbsession.scalar(select(invoice_state(TODAY)).where(Invoice.id == invoice.id))
    assert by_sql == expected.value
    holding = [state for state, condition in state_conditions(TODAY).items()
               if dbsession.scalar(select(Invoice.id).where(Invoice.id == invoice.id, condition)) is not None]
    assert holding == [expected]
    dbsession.delete(invoice)
    dbsession.flush()


def test_the_states_at_their_edges():
    invoice = Invoice(total_amount=Decimal("100.00"), paid_amount=Decimal("0.00"), due_date=TODAY, cancelled=False)
    assert invoice.state_on(TODAY) == InvoiceState.open  # due today is not yet overdue
    assert invoice.state_on(TODAY + timedelta(days=1)) == InvoiceState.overdue
    invoice.paid_amount = Decimal("0.01")
    assert invoice.state_on(TODAY) == InvoiceState.partially_paid and invoice.paid_percent == Decimal("0.0")
    assert invoice.state_on(TODAY + timedelta(days=1)) == InvoiceState.overdue
    invoice.paid_amount = Decimal("100.00")
    assert invoice.state_on(TODAY + timedelta(days=99)) == InvoiceState.paid and invoice.remainder == 0
    invoice.paid_amount = Decimal("120.00")  # an overpayment: paid, nothing left, 100 %
    assert invoice.remainder == 0 and invoice.paid_percent == Decimal("100.0")
    invoice.cancelled = True
    assert invoice.state_on(TODAY) == InvoiceState.cancelled and invoice.remainder == 0
    free = Invoice(total_amount=Decimal("0.00"), paid_amount=Decimal("0.00"), due_date=TODAY, cancelled=False)
    assert free.paid_percent == Decimal("100.0") and free.state_on(TODAY) == InvoiceState.paid


def test_a_line_is_rounded_to_the_cent_half_up():
    assert line_amounts(Decimal("12500.000"), Decimal("6.4521"), Decimal("20")) == (
        Decimal("80651.25"), Decimal("16130.25"), Decimal("96781.50"))
    assert line_amounts(Decimal("1"), Decimal("0.125"), Decimal("20")) == (
        Decimal("0.13"), Decimal("0.03"), Decimal("0.16"))
    net, vat, total = line_amounts(Decimal("3"), Decimal("33.3333"), Decimal("10"))
    assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in (net, vat, total))
