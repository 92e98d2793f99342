"""Top-up invoice requests: filed by a customer as a request of the configured type, settled when
the accounting system issues the invoice (its invoice names the request).

The request goes to the back office like any other (its type routes it); what settles it is the
invoice, so that transition is the system's ("fulfil"), and the requester hears of it through the
workflow's notices and e-mail like of any resolved request.
"""
from decimal import Decimal

from sqlalchemy import select

from portal.api.feed.services import party_reference, publish
from portal.db.meta import utcnow
from portal.finance.models import TopUpRequest
from portal.i18n import _
from portal.outbox.letters import LETTERS
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.services import file_request
from portal.requests.workflow import REQUEST
from portal.workflows.engine import TransitionContext

FEED_KIND = "top_up_requests"
TYPE_SETTING = "portal.finance.top_up_type"
DEFAULT_TYPE = "top_up_invoice"
CURRENCY_SETTING = "portal.finance.currency"
DEFAULT_CURRENCY = "RUB"


class TopUpRefused(Exception):
    """A top-up request that cannot be taken or settled; ``message`` says why, translatable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def top_up_type(db, settings) -> RequestType | None:
    """The active request type top-ups are filed as, or None when the deployment has none."""
    code = settings.get(TYPE_SETTING, DEFAULT_TYPE)
    return db.scalars(select(RequestType).where(RequestType.code == code, RequestType.active.is_(True))).first()


def currency(settings) -> str:
    return settings.get(CURRENCY_SETTING, DEFAULT_CURRENCY)


def file_top_up(workflow_service, *, party_id, author_id, request_type, amount: Decimal, currency: str,
                subject: str, body: str) -> TopUpRequest:
    """The customer request (routed by its type) and the amount it asks for, in one transaction."""
    item = file_request(workflow_service, party_id=party_id, author_id=author_id, request_type=request_type,
                        subject=subject, body=body)
    db = workflow_service.db
    top_up = TopUpRequest(request_id=item.id, party_id=party_id, amount=amount, currency=currency)
    db.add(top_up)
    db.flush()
    publish(db, FEED_KIND, feed_payload(top_up, item))
    return top_up


def feed_payload(top_up: TopUpRequest, item) -> dict:
    """What ``/api/v1/feed/top_up_requests`` tells the accounting system (schemas.TopUpFeedSchema)."""
    author = item.author
    return {"request_id": item.id, "party": party_reference(item.party), "amount": top_up.amount,
            "currency": top_up.currency, "comment": item.body, "requested_by": author.full_name if author else "",
            "requested_by_email": author.email if author else None, "requested_at": item.created_at}


def waiting(db, party_id) -> list[TopUpRequest]:
    """The party's top-ups no invoice has answered yet, oldest first (shown above its invoices)."""
    return db.scalars(
        select(TopUpRequest).join(CustomerRequest, CustomerRequest.id == TopUpRequest.request_id)
        .where(TopUpRequest.party_id == party_id, TopUpRequest.invoice_id.is_(None),
               CustomerRequest.state.not_in(("resolved", "closed")))
        .order_by(TopUpRequest.id)
    ).all()


def settle(db, request_id: int, invoice, *, registry=None) -> TopUpRequest:
    """Record ``invoice`` as the answer to top-up request ``request_id`` and settle the request,
    telling the requester (``registry``'s subscribers: notices and e-mail) in their language.

    Raises TopUpRefused when the invoice's party has no such top-up, or another invoice answered it
    already; the same invoice again changes nothing.
    """
    top_up = db.scalars(select(TopUpRequest).where(TopUpRequest.request_id == request_id,
                                                   TopUpRequest.party_id == invoice.party_id)).first()
    if top_up is None:
        raise TopUpRefused(_("The party of this invoice has no top-up request #${id}.", mapping={"id": request_id}))
    if top_up.invoice_id is not None and top_up.invoice_id != invoice.id:
        raise TopUpRefused(_("Top-up request #${id} was answered by another invoice already.",
                             mapping={"id": request_id}))
    if top_up.invoice_id == invoice.id:
        return top_up
    top_up.invoice = invoice
    top_up.issued_at = utcnow()
    item = top_up.request
    if item.state in REQUEST.transitions["fulfil"].from_states:
        comment = _("Invoice ${number} has been issued.", mapping={"number": invoice.number})
        if registry is not None and item.author is not None:
            comment = registry[LETTERS].translator(item.author)(comment)
        ctx = TransitionContext(session=db, actor_id=None, now=top_up.issued_at, comment=str(comment))
        REQUEST.apply(item, "fulfil", ctx, permits=lambda permission: True,
                      notify=registry.notify if registry is not None else None)
    return top_up
