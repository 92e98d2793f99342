"""``/admin/outbox/``: the e-mails and SMS the portal wrote, whether they went out, and sending failed
ones again.

Admins see every row (recipients are staff and customers alike), filter by
state, channel and user, search by recipient or subject, export the list, open
a row to read its delivery history (each attempt with its time and outcome),
and put failed rows back in the queue once the cause (a wrong address, a mail
server or SMS gateway that refused) is mended. Every retry is audited.
"""
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config
from sqlalchemy import select

from portal.admin.views.settings import saved
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _
from portal.identity.models import User
from portal.outbox.models import OutboxMessage, OutboxState
from portal.outbox.resources import OutboxArea, OutboxMessageResource
from portal.outbox.services import attempts_of, counts_by_state, retry_failed
from portal.outbox.titles import CHANNEL_TITLES, OUTCOME_TITLES, STATE_TITLES
from portal.security.permissions import Permission
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.xlsx import Column

MAX_RETRY_IDS = 500


def export_columns(request) -> tuple:
    def state_title(row):
        return request.localizer.translate(STATE_TITLES[row.state])

    def channel_title(row):
        return request.localizer.translate(CHANNEL_TITLES[row.channel])

    return (
        Column(_("Written"), "created_at", kind="datetime", width=18),
        Column(_("Channel"), channel_title, width=10),
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
    """Every e-mail and SMS the portal wrote, filtered by state, channel and user, searched by recipient or
    subject: page and export."""

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
        filters={"state": (OutboxMessage.state, set(STATE_TITLES)),
                 "channel": (OutboxMessage.channel, set(CHANNEL_TITLES)),
                 "user": (OutboxMessage.user_id, ANY_ID)},
        search=(OutboxMessage.recipient, OutboxMessage.subject),
        title=_("Outbox"), ascii_name="outbox",
    )

    def statement(self):
        return select(OutboxMessage)

    def extra(self, page):
        db = self.request.dbsession
        user_id = self.filters.get("user")
        return {
            "state": self.filters.get("state", ""),
            "channel": self.filters.get("channel", ""),
            "state_titles": STATE_TITLES,
            "channel_titles": CHANNEL_TITLES,
            "counts": counts_by_state(db, self.filters.get("channel")),
            "user": db.get(User, int(user_id)) if user_id else None,
            # The filters but those named, for the links that set them.
            "keep": lambda *names: {k: v for k, v in self.filters.items() if k not in names},
        }


@view_config(context=OutboxMessageResource, name="", permission=Permission.AdminOutbox,
             request_method=("GET", "HEAD"), renderer="portal:outbox/templates/outbox_message.pt")
def outbox_message(context, request):
    """One row and its delivery history. Its text is not shown: it may carry a link or code meant for
    its recipient alone."""
    message = context.message
    return {
        "message": message,
        "user": request.dbsession.get(User, message.user_id) if message.user_id else None,
        "attempts": attempts_of(request.dbsession, message.id),
        "state_titles": STATE_TITLES,
        "channel_titles": CHANNEL_TITLES,
        "outcome_titles": OUTCOME_TITLES,
    }


@view_config(context=OutboxArea, name="retry", permission=Permission.AdminOutbox, request_method="POST")
def outbox_retry(context, request):
    """Send again one failed e-mail or SMS (``id``) or all of them (no ``id``)."""
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
