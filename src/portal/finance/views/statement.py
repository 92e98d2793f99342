"""``/p/<id>/statement?from=YYYY-MM-DD&to=YYYY-MM-DD&format=html|pdf|xlsx``: the settlement statement."""
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import colander
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config

from portal.finance.resources import StatementResource
from portal.finance.schemas import statement_schema
from portal.finance.services.statement import INVOICE, settlement_statement
from portal.finance.views.invoices import company_today
from portal.i18n import _, translate
from portal.pdf import PDF_TYPE, pdf_renderer
from portal.security.permissions import Permission
from portal.views.downloads import XLSX_TYPE, content_disposition, file_response
from portal.views.xlsx import Column, write_rows

PAGE = "portal:finance/templates/statement.pt"
PRINT = "portal:finance/templates/statement_pdf.pt"


def describe(request, line) -> str:
    """A statement line's document in words: "Invoice № СЧ-2026/0012", "Payment № 118: …"."""
    if line.kind == INVOICE:
        return translate(request, _("Invoice № ${number}", mapping={"number": line.number}))
    text = translate(request, _("Payment № ${number}", mapping={"number": line.number})) if line.number \
        else translate(request, _("Payment"))
    return f"{text}: {line.purpose}" if line.purpose else text


@dataclass(frozen=True)
class SheetRow:
    currency: str
    on: date
    document: str
    debit: Decimal | None
    credit: Decimal | None
    balance: Decimal


def sheet_rows(request, statement):
    """The statement as rows of a sheet: per currency its opening balance, its lines, its closing balance."""
    opening, closing = translate(request, _("Opening balance")), translate(request, _("Closing balance"))
    for section in statement.sections:
        yield SheetRow(section.currency, statement.start, opening, None, None, section.opening)
        for line in section.lines:
            yield SheetRow(section.currency, line.on, describe(request, line), line.debit or None,
                           line.credit or None, line.balance)
        yield SheetRow(section.currency, statement.end, closing, section.debit, section.credit, section.closing)


SHEET_COLUMNS = (
    Column(_("Currency"), "currency", width=8),
    Column(_("Date"), "on", kind="date", width=12),
    Column(_("Document"), "document", width=50),
    Column(_("Debit"), "debit", kind="decimal", width=14),
    Column(_("Credit"), "credit", kind="decimal", width=14),
    Column(_("Balance"), "balance", kind="decimal", width=14),
)


@view_config(context=StatementResource, name="", permission=Permission.StatementView,
             request_method=("GET", "HEAD"))
def statement_view(context, request):
    """The statement of the chosen period as a page, a PDF or an .xlsx; bad dates get the page with
    what is wrong (400), never a half-made file."""
    schema = statement_schema()
    today = company_today(request)
    try:
        asked = schema.deserialize({key: request.GET.get(key, colander.null) for key in ("from", "to", "format")})
    except colander.Invalid as invalid:
        request.response.status = 400
        errors = invalid.asdict(translate=request.localizer.translate)
        return page(context, request, None, errors=errors, start=request.GET.get("from", ""),
                    end=request.GET.get("to", ""))
    end = asked["to"] or today
    start = asked["from"] or date(end.year, 1, 1)  # by default the year the period ends in, to its end
    if start > end:  # only the start was given, and it lies after today
        end = start
    statement = settlement_statement(request.dbsession, context.party.id, start, end)
    title = translate(request, _("Settlement statement"))
    stem = f"{title} {start.isoformat()} – {end.isoformat()}"
    ascii_stem = f"statement-{context.party.id}-{start.isoformat()}-{end.isoformat()}"
    if asked["format"] == "pdf":
        values = {"statement": statement, "party": context.party, "describe": lambda line: describe(request, line)}
        response = Response(body=pdf_renderer(request.registry).render(PRINT, values, request), content_type=PDF_TYPE)
        response.headers["Content-Disposition"] = content_disposition(f"{stem}.pdf", f"{ascii_stem}.pdf")
        return response
    if asked["format"] == "xlsx":
        out = tempfile.SpooledTemporaryFile(max_size=1 << 20)
        write_rows(out, sheet_rows(request, statement), SHEET_COLUMNS, translate=request.localizer.translate,
                   sheet_name=title)
        return file_response(out, content_type=XLSX_TYPE, filename=f"{stem}.xlsx",
                             ascii_filename=f"{ascii_stem}.xlsx")
    return page(context, request, statement, errors={}, start=start.isoformat(), end=end.isoformat())


def page(context, request, statement, *, errors, start, end):
    query = {"from": start, "to": end}
    return render_to_response(PAGE, {
        "statement": statement,
        "errors": errors,
        "start": start,
        "end": end,
        "describe": lambda line: describe(request, line),
        "here_url": request.resource_url(context.__parent__, context.segment),
        "pdf_url": request.resource_url(context.__parent__, context.segment, query=dict(query, format="pdf")),
        "xlsx_url": request.resource_url(context.__parent__, context.segment, query=dict(query, format="xlsx")),
    }, request=request, response=request.response)
