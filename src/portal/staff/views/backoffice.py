"""``/backoffice/``: change requests waiting for a decision, oldest first, and the queue's export.

Each row links to the request under its party, where the decision is taken:
the party's ACL (not this page) says whether the user may decide it.
"""
from pyramid.view import view_config
from sqlalchemy.orm import joinedload

from portal.changes.models import ChangeRequest
from portal.changes.services import decision_queue
from portal.changes.views import changed_fields, requested_values
from portal.i18n import _
from portal.security.permissions import Permission
from portal.staff.resources import BackofficeArea
from portal.views.downloads import xlsx_download
from portal.views.listing import list_page
from portal.views.xlsx import Column


def queue_listing(request):
    listing = decision_queue(request.identity, request.params)
    return listing, listing.statement.options(joinedload(ChangeRequest.author))


def export_columns(request):
    return (
        Column("#", lambda row: row.ChangeRequest.id, kind="number", width=8),
        Column(_("Company"), "party_name", width=36),
        Column(_("Changes"), lambda row: changed_fields(request, row.ChangeRequest), width=36),
        Column(_("Requested values"), lambda row: requested_values(request, row.ChangeRequest), width=50),
        Column(_("Author"), lambda row: row.ChangeRequest.author.full_name if row.ChangeRequest.author else None,
               width=24),
        Column(_("Submitted"), "submitted_at", kind="datetime"),
    )


@view_config(context=BackofficeArea, name="", permission=Permission.QueueView,
             request_method=("GET", "HEAD"), renderer="portal:staff/templates/backoffice.pt")
def change_queue(context, request):
    listing, statement = queue_listing(request)
    page = list_page(request, statement, scalars=False)
    return {
        "page": page, "q": listing.q, "sort": listing.sort,
        "fields": lambda item: changed_fields(request, item),
        "item_url": lambda item: request.resource_url(request.root, "p", str(item.party_id), "changes",
                                                      str(item.id), ""),
        "export_url": request.resource_url(context, "export.xlsx", query=listing.query),
    }


@view_config(context=BackofficeArea, name="export.xlsx", permission=Permission.QueueView,
             request_method=("GET", "HEAD"))
def change_queue_export(context, request):
    """The whole queue as the page shows it (same scope, search and order), as .xlsx."""
    _listing, statement = queue_listing(request)
    return xlsx_download(request, statement, export_columns(request), title=_("Change requests to decide"),
                         ascii_name="change-requests-to-decide", scalars=False)
