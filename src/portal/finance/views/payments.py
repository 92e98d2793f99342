"""The party's payments (list, export, one payment) and the invoices each one paid."""
from pyramid.view import view_config
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from portal.finance.models import ZERO, Invoice, Payment, PaymentAllocation
from portal.finance.resources import PaymentResource, PaymentsContainer
from portal.finance.schemas import ANY_MONTH, parse_month
from portal.i18n import _
from portal.security.permissions import Permission
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column


def paid_invoices(session, party_id, payment_ids) -> dict[int, list[tuple[PaymentAllocation, Invoice]]]:
    """Payment id -> (allocation, invoice) of what it paid: one query for a page of payments."""
    found = {payment_id: [] for payment_id in payment_ids}
    if not found:
        return found
    rows = session.execute(
        select(PaymentAllocation, Invoice)
        .join(Invoice, and_(Invoice.id == PaymentAllocation.invoice_id, Invoice.party_id == PaymentAllocation.party_id))
        .where(PaymentAllocation.party_id == party_id, PaymentAllocation.payment_id.in_(list(found)))
        .order_by(Invoice.issue_date, Invoice.id))
    for allocation, invoice in rows:
        found[allocation.payment_id].append((allocation, invoice))
    return found


def month_filter(request, value):
    first, last = parse_month(value)
    return Payment.paid_on.between(first, last)


def allocated_to(payment) -> str:
    return ", ".join(allocation.invoice.number for allocation in payment.allocations)


@view_config(context=PaymentsContainer, name="", attr="page", permission=Permission.PaymentsView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/payments.pt")
@view_config(context=PaymentsContainer, name="export.xlsx", attr="export", permission=Permission.PaymentsView,
             request_method=("GET", "HEAD"))
class PaymentList(ListView):
    """The party's payments by month, newest first, with the invoices each paid."""

    spec = ListSpec(
        columns=(
            Column(_("Date"), "paid_on", kind="date", width=12),
            Column(_("Number"), "number", width=14),
            Column(_("Amount"), "amount", kind="decimal", width=14),
            Column(_("Currency"), "currency", width=8),
            Column(_("Purpose"), "purpose", width=50),
            Column(_("Paid invoices"), allocated_to, width=40),
        ),
        sorts={"date": Payment.paid_on, "amount": Payment.amount, "number": Payment.number},
        default_sort="-date", tiebreak=Payment.id.desc(),
        filters={"month": (month_filter, ANY_MONTH)},
        search=(Payment.number, Payment.purpose),
        title=_("Payments"), ascii_name="payments",
    )

    def statement(self):
        return self.context.query()

    def export_statement(self, statement):
        return statement.options(selectinload(Payment.allocations).joinedload(PaymentAllocation.invoice))

    def extra(self, page):
        return {"paid": paid_invoices(self.request.dbsession, self.context.party.id,
                                      [payment.id for payment in page.items])}


@view_config(context=PaymentResource, name="", permission=Permission.PaymentsView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/payment.pt")
def payment_detail(context, request):
    payment = context.payment
    paid = paid_invoices(request.dbsession, payment.party_id, [payment.id])[payment.id]
    allocated = sum((allocation.amount for allocation, _invoice in paid), ZERO)
    return {
        "payment": payment,
        "paid": paid,
        "unallocated": payment.amount - allocated,
        "can_see_invoices": request.has_permission(Permission.InvoicesView, context.party_resource),
    }
