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
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

STATE_TITLES = {
    OutboxState.pending: _("Waiting"),
    OutboxState.sent: _("Sent"),
    OutboxState.failed: _("Failed"),
}
MAX_RETRY_IDS = 500


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


@view_config(context=OutboxArea, name="", attr="page", permission=Permission.AdminOutbox,
             request_method=("GET", "HEAD"), renderer="portal:outbox/templates/outbox.pt")
@view_config(context=OutboxArea, name="export.xlsx", attr="export", permission=Permission.AdminOutbox,
             request_method=("GET", "HEAD"))
class OutboxList(ListView):
    """Every e-mail the portal wrote, filtered by state, searched by recipient or subject: page and export."""

    spec = ListSpec(
        columns=export_columns,
        sorts={
            "created": OutboxMessage.created_at,
            "recipient": OutboxMessage.recipient,
            "state": OutboxMessage.state,
            "attempts": OutboxMessage.attempts,
            "next": OutboxMessage.next_attempt_at,
        },
        default_sort="-created", tiebreak=OutboxMessage.id,
        filters={"state": (OutboxMessage.state, set(STATE_TITLES))},
        search=(OutboxMessage.recipient, OutboxMessage.subject),
        title=_("Outbox"), ascii_name="outbox",
    )

    def statement(self):
        return select(OutboxMessage)

    def extra(self, page):
        return {
            "state": self.filters.get("state", ""),
            "state_titles": STATE_TITLES,
            "counts": counts_by_state(self.request.dbsession),
        }


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
