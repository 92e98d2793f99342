"""``GET /api/v1/feed/<kind>?after=<cursor>&limit=N`` and ``POST /api/v1/feed/<kind>/ack``.

A read key may do both: acknowledging is the consumer's own bookkeeping (where it
stands in the feed), it changes nothing in the portal's records. Each key has its
own place in each kind, so two consumers of one feed never take each other's events.
"""
import json

from pyramid.view import view_config

from portal.api.feed.events import BadCursor, Position, decode_cursor, encode_cursor, event_document
from portal.api.feed.resources import FeedKindResource
from portal.api.feed.services import DEFAULT_LIMIT, MAX_LIMIT, AckRefused, acknowledge, read_feed
from portal.api.views import record_call, refuse
from portal.i18n import _
from portal.security.permissions import Permission


def cursor_or_none(position):
    return encode_cursor(position) if position is not None and position.id else None


def parse_limit(raw):
    """The ``limit`` asked for, or None when it is not a whole number from 1 to MAX_LIMIT."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        return None
    return int(raw)


@view_config(context=FeedKindResource, request_method="GET", permission=Permission.ApiRead, renderer="json",
             require_csrf=False)
def read(context, request):
    """The next events of the kind for this key, in commit order."""
    limit = parse_limit(request.GET.get("limit"))
    if limit is None:
        return refuse(request, 400, _("limit must be a whole number from 1 to ${max}.", mapping={"max": MAX_LIMIT}))
    after = request.GET.get("after")
    try:
        position = decode_cursor(after) if after else None
    except BadCursor:
        return refuse(request, 400, _("This is not a cursor of the feed: pass one a read returned."))
    page = read_feed(request.dbsession, request.identity.key_id, context.kind.name, after=position, limit=limit)
    record_call(request, 200, "ok")
    return {
        "kind": context.kind.name,
        "events": [dict(event_document(event), cursor=encode_cursor(Position.of(event)))
                   for event in page.events],
        "next": cursor_or_none(page.next),
        "more": page.more,
        "acked": cursor_or_none(page.acked),
    }


@view_config(context=FeedKindResource, name="ack", request_method="POST", permission=Permission.ApiRead,
             renderer="json", require_csrf=False)
def ack(context, request):
    """Every event of the kind up to ``cursor`` is processed: none of them is served to this key again."""
    try:
        body = json.loads(request.body)
    except ValueError:
        return refuse(request, 400, _("The body is not valid JSON."))
    if not isinstance(body, dict) or set(body) != {"cursor"}:
        return refuse(request, 400, _('The body must be {"cursor": "…"} with a cursor a read returned.'))
    try:
        position = decode_cursor(body["cursor"])
    except BadCursor:
        return refuse(request, 400, _("This is not a cursor of the feed: pass one a read returned."))
    try:
        acked = acknowledge(request.dbsession, request.identity.key_id, context.kind.name, position)
    except AckRefused as refused:
        return refuse(request, refused.status, refused.message)
    record_call(request, 200, "ok")
    return {"kind": context.kind.name, "acked": encode_cursor(acked)}
