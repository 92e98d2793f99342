"""The integration's demo data: the feed holds the last move of each demo request and ticket, as
its subscriber would have published it (the demo makes them without the application, so without
its subscribers), and a webhook of requests with those events waiting, paused: the page shows it
and its deliveries, and nothing is sent until an admin points it at a receiver and resumes it."""
from sqlalchemy import select

from portal.api.feed.services import publish
from portal.api.webhooks.models import Webhook
from portal.api.webhooks.services import create_webhook
from portal.parties.models import Party
from portal.requests.models import CustomerRequest
from portal.requests.workflow import REQUEST
from portal.requests.workflow import feed_payload as request_payload
from portal.tickets.models import ServiceTicket
from portal.tickets.workflow import SERVICE_TICKET
from portal.tickets.workflow import feed_payload as ticket_payload
from portal.workflows.engine import TransitionApplied, TransitionContext

DEMO_WEBHOOK_URL = "http://127.0.0.1:8099/portal-webhooks/requests"
KINDS = (("requests", REQUEST, CustomerRequest, request_payload), ("tickets", SERVICE_TICKET, ServiceTicket,
                                                                   ticket_payload))


def last_move(db, workflow, item) -> TransitionApplied:
    """The item's latest history entry, as the event its move emitted."""
    entry = workflow.last_entry(db, item)
    context = TransitionContext(session=db, actor_id=entry.actor_id, comment=entry.comment, now=entry.at,
                                workflow=workflow)
    return TransitionApplied(workflow, item, entry.transition, entry.from_state, entry.to_state, entry.actor_id,
                             entry.comment, context, entry)


def load_demo(db, settings=None) -> None:
    """Idempotent: nothing is added once the demo webhook exists."""
    if db.scalars(select(Webhook.id).where(Webhook.url == DEMO_WEBHOOK_URL)).first() is not None:
        return
    webhook, _secret = create_webhook(db, "requests", DEMO_WEBHOOK_URL)
    for kind, workflow, model, payload in KINDS:
        items = db.scalars(select(model).join(Party, Party.id == model.party_id)
                           .where(Party.external_id.like("DEMO-%")).order_by(model.id))
        for item in items:
            publish(db, kind, payload(last_move(db, workflow, item)))
    webhook.active = False
    db.flush()
