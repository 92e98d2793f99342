"""``/backoffice/``: change requests waiting for a decision, oldest first, and the queue's export.

Each row links to the request under its party, where the decision is taken:
the party's ACL (not this page) says whether the user may decide it.
"""
from pyramid.view import view_config
from sqlalchemy.orm import joinedload

from portal.changes.models import ChangeRequest
from portal.changes.services import SUBMITTED_AT, decision_queue
from portal.changes.views import changed_fields, requested_values
from portal.i18n import _
from portal.parties.models import Party
from portal.security.permissions import Permission
from portal.staff.resources import BackofficeArea
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column


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


@view_config(context=BackofficeArea, name="", attr="page", permission=Permission.QueueView,
             request_method=("GET", "HEAD"), renderer="portal:staff/templates/backoffice.pt")
@view_config(context=BackofficeArea, name="export.xlsx", attr="export", permission=Permission.QueueView,
             request_method=("GET", "HEAD"))
class ChangeQueue(ListView):
    """Submitted change requests this member of staff may decide, the longest waiting first, searched by
    the company's name: the page and its export. Rows are (ChangeRequest, party_name, submitted_at)."""

    spec = ListSpec(
        columns=export_columns,
        sorts={"submitted": SUBMITTED_AT, "party": Party.name, "id": ChangeRequest.id},
        default_sort="submitted", tiebreak=ChangeRequest.id,
        search=(Party.name,),
        title=_("Change requests to decide"), ascii_name="change-requests-to-decide", scalars=False,
    )

    def statement(self):
        return decision_queue(self.request.identity).options(joinedload(ChangeRequest.author))

    def extra(self, page):
        request = self.request
        return {
            "fields": lambda item: changed_fields(request, item),
            "item_url": lambda item: request.resource_url(request.root, "p", str(item.party_id), "changes",
                                                          str(item.id), ""),
        }
