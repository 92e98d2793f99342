"""The party's invoices: the list (filters, sort, pages, the totals of what is listed, its export) and
one invoice with its lines and the payments that paid it."""
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.finance.models import Invoice, InvoiceState, invoice_remainder, invoice_state_on, state_conditions
from portal.finance.resources import InvoiceResource, InvoicesContainer
from portal.finance.schemas import ANY_MONTH, MAX_ZIP_INVOICES, parse_month
from portal.finance.services.invoices import (
    STATE_TITLES,
    allocations_to,
    invoice_totals,
    local_today,
    period_condition,
)
from portal.finance.services.top_up import waiting
from portal.i18n import _, titles, translate
from portal.parties.models import Contract
from portal.security.permissions import Permission
from portal.views.listing import ANY_ID, ListSpec, TotalledListView
from portal.views.xlsx import Column

PDF_LABEL = _("PDF")  # each row's link to its invoice's PDF


def company_today(request):
    """Today in the company's time zone, once per request (every state on a page is of one day)."""
    today = getattr(request, "_finance_today", None)
    if today is None:
        today = request._finance_today = local_today(request.registry["portal_tz"])
    return today


def state_filter(request, value):
    return state_conditions(company_today(request))[InvoiceState(value)]


def period_filter(request, value):
    return period_condition(*parse_month(value))


def export_columns(request):
    today = company_today(request)
    return (
        Column(_("Number"), "number", width=20),
        Column(_("Contract"), lambda r: r.contract.number if r.contract else None, width=16),
        Column(_("Issued"), "issue_date", kind="date", width=12),
        Column(_("Due"), "due_date", kind="date", width=12),
        Column(_("Period from"), "period_start", kind="date", width=12),
        Column(_("Period to"), "period_end", kind="date", width=12),
        Column(_("Net"), "net_amount", kind="decimal", width=14),
        Column(_("VAT"), "vat_amount", kind="decimal", width=12),
        Column(_("Total"), "total_amount", kind="decimal", width=14),
        Column(_("Currency"), "currency", width=8),
        Column(_("Amount paid"), "paid_amount", kind="decimal", width=14),
        Column(_("Remainder"), "remainder", kind="decimal", width=14),
        Column(_("Paid, %"), "paid_percent", kind="decimal", width=9),
        Column(_("State"), lambda r: STATE_TITLES[r.state_on(today)], width=16),
    )


@view_config(context=InvoicesContainer, name="", attr="page", permission=Permission.InvoicesView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/invoices.pt")
@view_config(context=InvoicesContainer, name="export.xlsx", attr="export", permission=Permission.InvoicesView,
             request_method=("GET", "HEAD"))
class InvoiceList(TotalledListView):
    """The party's invoices by period, state and contract, and what the listed ones add up to."""

    spec = ListSpec(
        columns=export_columns,
        sorts={
            "issued": Invoice.issue_date,
            "due": Invoice.due_date,
            "number": Invoice.number,
            "total": Invoice.total_amount,
            "paid": Invoice.paid_amount,
        },
        default_sort="-issued", tiebreak=Invoice.id.desc(),
        filters={
            "state": (state_filter, {state.value for state in InvoiceState}),
            "contract": (Invoice.contract_id, ANY_ID),
            "period": (period_filter, ANY_MONTH),
        },
        search=(Invoice.number,),
        title=_("Invoices"), ascii_name="invoices",
        shown=("id", "number", "issue_date", "due_date", "contract_id", "currency", "total_amount", "paid_amount",
               "cancelled"),
    )

    def statement(self):
        return self.context.query()

    def export_statement(self, statement):
        return statement.options(joinedload(Invoice.contract))

    def totals_of(self, listed) -> list:
        """Per currency, the count and sums of every invoice listed (not one page)."""
        return invoice_totals(self.request.dbsession, listed)

    def extra(self, page):
        db = self.request.dbsession
        contracts = db.execute(select(Contract.id, Contract.number).where(Contract.party_id == self.context.party.id)
                               .order_by(Contract.valid_from.desc(), Contract.id)).all()
        page_ids = [invoice.id for invoice in page.items]
        return {
            "today": company_today(self.request),
            "state_on": invoice_state_on,
            "remainder": invoice_remainder,
            "contracts": contracts,
            "contract_numbers": {c.id: c.number for c in contracts},
            "state_titles": titles(self.request, STATE_TITLES),
            "pdf_label": translate(self.request, PDF_LABEL),
            "totals": self.totals,
            "page_zip_url": self.request.resource_url(self.context, "zip", query=[("id", i) for i in page_ids])
            if page_ids else None,
            "max_zip": MAX_ZIP_INVOICES,
            **self.top_ups(),
        }

    def top_ups(self) -> dict:
        """The button to ask for a top-up invoice (for who may), and the asked ones not issued yet."""
        may_ask = self.request.has_permission(Permission.InvoicesTopUp, self.context)
        return {
            "top_up_url": self.request.resource_url(self.context, "top-up") if may_ask else None,
            "top_ups": waiting(self.request.dbsession, self.context.party.id),
            "requests_url": self.request.resource_url(self.context.__parent__, "requests", ""),
        }


@view_config(context=InvoiceResource, name="", permission=Permission.InvoicesView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/invoice.pt")
def invoice_detail(context, request):
    """One invoice: its lines, the payments that paid it, how much of it is paid and what is left."""
    invoice = context.invoice
    return {
        "invoice": invoice,
        "state": invoice.state_on(company_today(request)),
        "states": STATE_TITLES,
        "allocations": allocations_to(request.dbsession, invoice),
        "can_see_payments": request.has_permission(Permission.PaymentsView, context.party_resource),
    }
