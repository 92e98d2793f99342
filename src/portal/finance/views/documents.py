"""Invoices as PDF: one (``/p/<id>/invoices/<invoice>/pdf``) or several as a ZIP
(``/p/<id>/invoices/zip?id=<a>&id=<b>``), the accounting system's own PDF where it sent one."""
import logging
import os

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from portal.attachments.services import IAttachmentService
from portal.db.ids import parse_id
from portal.finance.resources import InvoiceResource, InvoicesContainer
from portal.finance.schemas import MAX_ZIP_INVOICES
from portal.finance.services.documents import invoice_document, invoices_for_print
from portal.finance.services.invoices import STATE_TITLES
from portal.finance.views.invoices import company_today
from portal.i18n import _, translate
from portal.pdf import PDF_TYPE, pdf_renderer
from portal.security.permissions import Permission
from portal.views.archives import zip_response
from portal.views.downloads import content_disposition

log = logging.getLogger(__name__)
INVOICE_TEMPLATE = "portal:finance/templates/invoice_pdf.pt"


def stored_pdf_path(request, document) -> str | None:
    """Where the accounting system's PDF of the document (an invoice, an advance schedule) is kept, if it
    sent one that is there."""
    if not document.stored_pdf:
        return None
    try:
        path = request.find_service(IAttachmentService).path_for(document.stored_pdf)
    except ValueError:
        path = None
    if path is None or not os.path.isfile(path):
        log.warning("%s %s: its stored PDF %s is missing; printing ours", type(document).__name__, document.id,
                    document.stored_pdf)
        return None
    return path


def pdf_maker(request, document):
    """What makes the invoice's PDF: the stored one read, else ours rendered in the request's language.
    Where the stored one lies is found now; making it needs no database."""
    path = stored_pdf_path(request, document)
    if path is not None:
        def read():
            with open(path, "rb") as f:
                return f.read()
        return read
    renderer = pdf_renderer(request.registry)
    return lambda: renderer.render(INVOICE_TEMPLATE, {"doc": document, "states": STATE_TITLES}, request)


def pdf_names(request, document) -> tuple[str, str]:
    """(the file's name in the user's language, its ASCII name): "Счёт СЧ-2026-0012.pdf", "invoice-СЧ…"."""
    title = translate(request, _("Invoice"))
    return f"{title} {document.file_stem}.pdf", f"invoice-{document.file_stem}.pdf"


@view_config(context=InvoiceResource, name="pdf", permission=Permission.InvoicesView,
             request_method=("GET", "HEAD"))
def invoice_pdf(context, request):
    document = invoice_document(context.invoice, company_today(request))
    filename, ascii_filename = pdf_names(request, document)
    response = Response(body=pdf_maker(request, document)(), content_type=PDF_TYPE)
    response.headers["Content-Disposition"] = content_disposition(filename, ascii_filename)
    return response


def chosen_ids(request) -> list[int] | None:
    """The invoice ids the query string names, each once, in order; None when one is not an id."""
    ids = []
    for value in request.GET.getall("id"):
        parsed = parse_id(value)
        if parsed is None:
            return None
        if parsed not in ids:
            ids.append(parsed)
    return ids


@view_config(context=InvoicesContainer, name="zip", permission=Permission.InvoicesView,
             request_method=("GET", "HEAD"))
def invoices_zip(context, request):
    """The chosen invoices' PDFs as one ZIP, streamed. An id that is not one of this party's invoices
    refuses the whole request (404): the archive is all of what was asked, or nothing."""
    ids = chosen_ids(request)
    if ids is None:
        raise HTTPNotFound()
    back = request.resource_url(context)
    if not ids:
        request.session.flash(translate(request, _("Choose the invoices to download first.")), "error")
        return HTTPSeeOther(back)
    if len(ids) > MAX_ZIP_INVOICES:
        request.session.flash(translate(request, _(
            "At most ${max} invoices fit in one download; you chose ${count}.",
            mapping={"max": MAX_ZIP_INVOICES, "count": len(ids)})), "error")
        return HTTPSeeOther(back)
    invoices = invoices_for_print(request.dbsession, context.party.id, ids)
    if len(invoices) != len(ids):
        raise HTTPNotFound()
    today = company_today(request)
    documents = [invoice_document(invoice, today) for invoice in invoices]
    members = [(pdf_names(request, document)[0], pdf_maker(request, document)) for document in documents]
    title = translate(request, _("Invoices"))
    return zip_response(request, members, filename=f"{title} {context.party.name}.zip",
                        ascii_filename=f"invoices-{context.party.id}.zip")

