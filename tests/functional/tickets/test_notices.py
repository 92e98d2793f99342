"""A critical ticket is news for the staff who work tickets and the party's managers; a ticket of any
other priority waits in the queue without telling anyone."""
import pytest
from sqlalchemy import delete, select

from portal.outbox.models import OutboxMessage
from portal.tickets.models import ServiceTicket
from portal.workflows.models import Notice
from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, SlaPolicyFactory, customer, staff
from tests.functional.tickets.test_tickets import open_ticket, the_ticket


@pytest.fixture
def world(dbsession):
    party, other = PartyFactory(name="Ticketing Co"), PartyFactory(name="Bystander Ltd")
    manager, elsewhere = staff("manager", last_name="Manager"), staff("manager", last_name="Elsewhere")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    ManagerAssignmentFactory(user_id=elsewhere.id, party_id=other.id)
    # Critical is open to customers here (a configured level they may choose).
    SlaPolicyFactory(priority="critical", resolve_hours=4, business_hours=False)
    return {
        "party": party, "author": customer(party, last_name="Customer"),
        "tech": staff("service", last_name="Technician"), "clerk": staff("backoffice", last_name="Clerk"),
        "head": staff("head", last_name="Head"), "manager": manager, "elsewhere": elsewhere,
    }


def told(dbsession):
    dbsession.flush()
    return (set(dbsession.scalars(select(Notice.user_id))), set(dbsession.scalars(select(OutboxMessage.user_id))))


def test_only_a_critical_ticket_tells_the_service_staff_and_the_partys_manager(testapp, dbsession, world):
    login(testapp, world["author"].login)
    for priority in ("low", "normal", "high"):
        open_ticket(testapp, world["party"], priority=priority, status=303)
        assert told(dbsession) == (set(), set()), priority
    dbsession.execute(delete(ServiceTicket))
    open_ticket(testapp, world["party"], subject="Boiler is leaking", priority="critical", status=303)
    ticket = the_ticket(dbsession)
    expected = {world["tech"].id, world["manager"].id}
    assert told(dbsession) == (expected, expected)
    [subject] = set(dbsession.scalars(select(OutboxMessage.subject)))
    assert subject == f"Critical service ticket #{ticket.id} “Boiler is leaking” from Ticketing Co"
    body = dbsession.scalars(select(OutboxMessage.body).where(OutboxMessage.user_id == world["tech"].id)).one()
    assert "Priority: Critical" in body
    assert f"http://localhost:6543/p/{world['party'].id}/tickets/{ticket.id}/" in body
