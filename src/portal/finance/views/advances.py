"""The party's advance schedules: the list (filters by contract and state, sort, pages, what the listed
ones plan and what of it is paid, its export), one schedule with its payments, and its PDF (the
accounting system's own where it sent one)."""
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.finance.models.advances import AdvanceSchedule, AdvanceState, schedule_state_conditions
from portal.finance.resources import AdvanceScheduleResource, AdvancesContainer
from portal.finance.services.advance_documents import schedule_document
from portal.finance.services.advances import STATE_TITLES, advance_totals
from portal.finance.views.documents import stored_pdf_path
from portal.finance.views.invoices import company_today
from portal.i18n import _, translate
from portal.parties.models import Contract
from portal.pdf import PDF_TYPE, pdf_renderer
from portal.security.permissions import Permission
from portal.views.downloads import content_disposition
from portal.views.listing import ANY_ID, ListSpec, TotalledListView
from portal.views.xlsx import Column

SCHEDULE_TEMPLATE = "portal:finance/templates/advance_pdf.pt"


def state_filter(request, value):
    return schedule_state_conditions(company_today(request))[AdvanceState(value)]


def export_columns(request):
    today = company_today(request)
    return (
        Column(_("Number"), "number", width=20),
        Column(_("Contract"), lambda r: r.contract.number, width=16),
        Column(_("Issued"), "issue_date", kind="date", width=12),
        Column(_("Period from"), "period_start", kind="date", width=12),
        Column(_("Period to"), "period_end", kind="date", width=12),
        Column(_("Payments"), lambda r: len(r.payments), kind="number", width=10),
        Column(_("Planned"), "planned_amount", kind="decimal", width=14),
        Column(_("Amount paid"), "paid_amount", kind="decimal", width=14),
        Column(_("Remainder"), "remainder", kind="decimal", width=14),
        Column(_("Currency"), "currency", width=8),
        Column(_("State"), lambda r: STATE_TITLES[r.state_on(today)], width=14),
    )


@view_config(context=AdvancesContainer, name="", attr="page", permission=Permission.AdvancesView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/advances.pt")
@view_config(context=AdvancesContainer, name="export.xlsx", attr="export", permission=Permission.AdvancesView,
             request_method=("GET", "HEAD"))
class AdvanceScheduleList(TotalledListView):
    """The party's advance schedules by contract and state, and what the listed ones add up to."""

    spec = ListSpec(
        columns=export_columns,
        sorts={
            "issued": AdvanceSchedule.issue_date,
            "period": AdvanceSchedule.period_start,
            "number": AdvanceSchedule.number,
        },
        default_sort="-issued", tiebreak=AdvanceSchedule.id.desc(),
        filters={
            "state": (state_filter, {state.value for state in AdvanceState}),
            "contract": (AdvanceSchedule.contract_id, ANY_ID),
        },
        search=(AdvanceSchedule.number,),
        title=_("Advance schedules"), ascii_name="advance-schedules",
    )

    def statement(self):
        # A page's rows show their payments' sums and state: loaded in one more query, not one per row.
        return self.context.query().options(selectinload(AdvanceSchedule.payments))

    def export_statement(self, statement):
        return statement.options(joinedload(AdvanceSchedule.contract))

    def totals_of(self, listed) -> list:
        """Per currency, the count and sums of every schedule listed (not one page)."""
        return advance_totals(self.request.dbsession, listed)

    def extra(self, page):
        db = self.request.dbsession
        contracts = db.scalars(select(Contract).where(Contract.party_id == self.context.party.id)
                               .order_by(Contract.valid_from.desc(), Contract.id)).all()
        return {
            "today": company_today(self.request),
            "contracts": contracts,
            "contract_numbers": {c.id: c.number for c in contracts},
            "states": STATE_TITLES,
            "totals": self.totals,
        }


@view_config(context=AdvanceScheduleResource, name="", permission=Permission.AdvancesView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/advance.pt")
def schedule_detail(context, request):
    """One schedule: each planned payment in its state, what is paid of them and what is left."""
    today = company_today(request)
    return {"schedule": context.schedule, "today": today, "state": context.schedule.state_on(today),
            "states": STATE_TITLES}


@view_config(context=AdvanceScheduleResource, name="pdf", permission=Permission.AdvancesView,
             request_method=("GET", "HEAD"))
def schedule_pdf(context, request):
    """The schedule as a PDF: the accounting system's own when it is in the store, else ours in the
    reader's language."""
    document = schedule_document(context.schedule, company_today(request))
    path = stored_pdf_path(request, document)
    if path is not None:
        with open(path, "rb") as f:
            body = f.read()
    else:
        body = pdf_renderer(request.registry).render(SCHEDULE_TEMPLATE, {"doc": document, "states": STATE_TITLES},
                                                     request)
    title = translate(request, _("Advance schedule"))
    response = Response(body=body, content_type=PDF_TYPE)
    response.headers["Content-Disposition"] = content_disposition(
        f"{title} {document.file_stem}.pdf", f"advance-schedule-{document.file_stem}.pdf")
    return response
