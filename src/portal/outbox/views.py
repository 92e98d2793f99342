"""``/admin/outbox/``: the e-mails the portal wrote, whether they went out, and sending failed ones again.

Admins see every row (recipients are staff and customers alike), filter by
state, search by recipient or subject, export the list, and put failed
e-mails back in the queue once the cause (a wrong address, a mail server that
refused) is mended. Every retry is audited.
"""
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config
from sqlalchemy import select

from portal.admin.views.settings import saved
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _
from portal.outbox.models import OutboxMessage, OutboxState
from portal.outbox.resources import OutboxArea
from portal.outbox.services import counts_by_state, retry_failed
from portal.security.permissions import Permission
from portal.views.downloads import xlsx_download
from portal.views.listing import list_page
from portal.views.pagination import Listing
from portal.views.xlsx import Column

SORTS = {
    "created": OutboxMessage.created_at,
    "recipient": OutboxMessage.recipient,
    "state": OutboxMessage.state,
    "attempts": OutboxMessage.attempts,
    "next": OutboxMessage.next_attempt_at,
}
STATE_TITLES = {
    OutboxState.pending: _("Waiting"),
    OutboxState.sent: _("Sent"),
    OutboxState.failed: _("Failed"),
}
MAX_RETRY_IDS = 500


def outbox_listing(params) -> tuple[Listing, str]:
    """The rows the list shows and the export writes: searched, filtered by state, sorted."""
    state = params.get("state") or ""
    statement = select(OutboxMessage)
    if state in STATE_TITLES:
        statement = statement.where(OutboxMessage.state == state)
    else:
        state = ""
    listing = Listing.build(statement, params, search=(OutboxMessage.recipient, OutboxMessage.subject),
                            sorts=SORTS, default_sort="-created", tiebreak=OutboxMessage.id)
    return listing, state


def export_columns(request) -> tuple:
    def state_title(row):
        return request.localizer.translate(STATE_TITLES[row.state])

    return (
        Column(_("Written"), "created_at", kind="datetime", width=18),
        Column(_("Recipient"), "recipient", width=30),
        Column(_("Subject"), "subject", width=50),
        Column(_("Cause"), "topic", width=24),
        Column(_("State"), state_title, width=12),
        Column(_("Attempts"), "attempts", kind="number", width=9),
        Column(_("Next attempt"), "next_attempt_at", kind="datetime", width=18),
        Column(_("Sent"), "sent_at", kind="datetime", width=18),
        Column(_("Last error"), "last_error", width=50),
    )


@view_config(context=OutboxArea, name="", permission=Permission.AdminOutbox,
             request_method=("GET", "HEAD"), renderer="portal:outbox/templates/outbox.pt")
def outbox_list(context, request):
    listing, state = outbox_listing(request.params)
    page = list_page(request, listing.statement)
    query = dict(listing.query, state=state) if state else listing.query
    return {
        "page": page,
        "q": listing.q,
        "sort": listing.sort,
        "state": state,
        "state_titles": STATE_TITLES,
        "counts": counts_by_state(request.dbsession),
        "export_url": request.resource_url(context, "export.xlsx", query=query),
    }


@view_config(context=OutboxArea, name="export.xlsx", permission=Permission.AdminOutbox,
             request_method=("GET", "HEAD"))
def outbox_export(context, request):
    listing, _state = outbox_listing(request.params)
    return xlsx_download(request, listing.statement, export_columns(request), title=_("Outbox"),
                         ascii_name="outbox")


@view_config(context=OutboxArea, name="retry", permission=Permission.AdminOutbox, request_method="POST")
def outbox_retry(context, request):
    """Send again one failed e-mail (``id``) or all of them (no ``id``)."""
    raw_ids = request.POST.getall("id")
    if len(raw_ids) > MAX_RETRY_IDS:
        raise HTTPBadRequest()
    ids = None
    if raw_ids:
        ids = [parse_id(value) for value in raw_ids]
        if None in ids:
            raise HTTPBadRequest()
    count = retry_failed(request.dbsession, ids)
    back = request.resource_url(context, query={"state": OutboxState.failed})
    if not count:
        return saved(request, _("There was no failed e-mail to send again."), back, "info")
    request.find_service(IAuditService).record("outbox.retry", "outbox", count=count, ids=ids)
    return saved(request, _("${count} e-mail(s) will be sent again.", mapping={"count": count}), back)
