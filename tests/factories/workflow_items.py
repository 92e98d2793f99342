"""Workflow items made directly in a given state, for lists, queues and counts (no history rows)."""
from datetime import timedelta

import factory

from portal.changes.models import ChangeRequest
from portal.db.meta import utcnow
from portal.requests.models import CustomerRequest
from portal.tickets.models import ServiceTicket
from tests.factories import Base, PartyFactory, RequestTypeFactory, registered


@registered
class ServiceTicketFactory(Base):
    class Meta:
        model = ServiceTicket

    party = factory.SubFactory(PartyFactory)
    subject = factory.Sequence(lambda n: f"Ticket subject {n:04d}")
    body = "Something is broken."
    priority = "normal"
    state = "new"
    created_at = factory.LazyFunction(utcnow)
    due_at = factory.LazyAttribute(lambda t: t.created_at + timedelta(days=3))


@registered
class CustomerRequestFactory(Base):
    class Meta:
        model = CustomerRequest

    party = factory.SubFactory(PartyFactory)
    type = factory.SubFactory(RequestTypeFactory)
    subject = factory.Sequence(lambda n: f"Request subject {n:04d}")
    body = "Please help."
    priority = "normal"
    state = "new"
    created_at = factory.LazyFunction(utcnow)
    due_at = factory.LazyAttribute(lambda r: r.created_at + timedelta(days=3))


@registered
class ChangeRequestFactory(Base):
    class Meta:
        model = ChangeRequest

    party = factory.SubFactory(PartyFactory)
    state = "submitted"
    changes = factory.LazyFunction(lambda: {"phone": "+7 900 000 00 00"})
