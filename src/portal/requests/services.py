"""Filing customer requests (routed by their type) and closing resolved ones nobody confirmed."""
from datetime import timedelta

from sqlalchemy import select

from portal.db.meta import utcnow
from portal.requests.dedicated import dedicated_codes
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.workflow import REQUEST
from portal.workflows.engine import TransitionContext


def active_types(session, registry=None) -> list[RequestType]:
    """The types a customer may choose on the general request form."""
    statement = select(RequestType).where(RequestType.active.is_(True)).order_by(RequestType.code)
    dedicated = dedicated_codes(registry) if registry is not None else []
    if dedicated:
        statement = statement.where(RequestType.code.not_in(dedicated))
    return session.scalars(statement).all()


def file_request(workflow_service, *, party_id, author_id, request_type: RequestType, subject, body):
    """A new request, routed to its type's group, with the type's priority and due time."""
    now = utcnow()
    item = CustomerRequest(
        party_id=party_id, author_id=author_id, type_id=request_type.id, subject=subject, body=body,
        priority=request_type.default_priority, group_id=request_type.group_id,
        due_at=now + timedelta(hours=request_type.due_hours), created_at=now,
    )
    return workflow_service.create(REQUEST, item)


def auto_close(session, days: int, notify=None, now=None) -> int:
    """Close requests resolved more than ``days`` ago; returns how many were closed."""
    now = now or utcnow()
    stale = session.scalars(
        select(CustomerRequest)
        .where(CustomerRequest.state == "resolved", CustomerRequest.resolved_at < now - timedelta(days=days))
        .order_by(CustomerRequest.id)
    ).all()
    for item in stale:
        ctx = TransitionContext(session=session, actor_id=None, comment="", now=now)
        REQUEST.apply(item, "auto_close", ctx, permits=lambda permission: True, notify=notify)
    return len(stale)
