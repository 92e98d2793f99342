"""The service ticket workflow under random actors and random steps (hypothesis stateful testing)."""
from portal.tickets.models import ServiceTicket
from portal.tickets.resources import TicketsContainer
from portal.tickets.workflow import SERVICE_TICKET
from tests.unit.workflows.stateful import workflow_machine

# A party's own customer confirms or reopens a resolved ticket; everything else is staff work.
CUSTOMER_MAY = {"confirm", "reopen"}


def new_ticket(session):
    return ServiceTicket(subject="Broken pump", body="It leaks.", priority="high")


TicketStates = workflow_machine(SERVICE_TICKET, TicketsContainer, new_ticket, CUSTOMER_MAY)
TestTicketStates = TicketStates.TestCase


def test_the_machine_can_reach_every_state():
    """The rules are not vacuous: a scripted run through the machine visits every declared state."""
    machine = TicketStates()
    try:
        seen = {machine.item.state}
        for actor, name, comment, assignee in [
            ("service", "assign", "", "assignee"), ("assignee", "start", "", None),
            ("assignee", "hold", "Parts.", None), ("manager", "resume", "", None),
            ("service", "resolve", "Done.", None), ("customer", "reopen", "No.", None),
            ("service", "resolve", "Done now.", None), ("customer", "confirm", "", None),
        ]:
            machine.take(actor, name, comment, assignee)
            machine.only_declared_states()
            machine.offers_exactly_what_the_acl_allows()
            seen.add(machine.item.state)
        assert seen == set(SERVICE_TICKET.states)
        assert machine.steps == 9
    finally:
        machine.teardown()


def test_refusals_leave_the_ticket_alone():
    machine = TicketStates()
    try:
        for actor, name in [("customer", "assign"), ("head", "assign"), ("other customer", "assign"),
                            ("assignee", "assign"), ("service", "start"), ("service", "no-such-step")]:
            machine.take(actor, name, "", "service")
        assert machine.item.state == "new" and machine.item.assignee_id is None and machine.steps == 1
    finally:
        machine.teardown()
