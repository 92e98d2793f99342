"""The customer request workflow under random actors and random steps (hypothesis stateful testing)."""
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.resources import RequestsContainer
from portal.requests.workflow import REQUEST
from tests.unit.workflows.stateful import workflow_machine

# A party's own customer answers a question, confirms or reopens; everything else is staff work.
CUSTOMER_MAY = {"answer", "confirm", "reopen"}


def new_request(session):
    request_type = RequestType(code="general", names={"en": "General"})
    session.add(request_type)
    session.flush()
    return CustomerRequest(type_id=request_type.id, subject="Copy of a contract", body="Please.")


RequestStates = workflow_machine(REQUEST, RequestsContainer, new_request, CUSTOMER_MAY)
TestRequestStates = RequestStates.TestCase


def test_the_machine_can_reach_every_state():
    machine = RequestStates()
    try:
        seen = {machine.item.state}
        for actor, name, comment, assignee in [
            ("assignee", "assign", "", "service"), ("service", "start", "", None),
            ("service", "ask_customer", "Which one?", None), ("customer", "answer", "The new one.", None),
            ("manager", "resolve", "Sent.", None), ("customer", "reopen", "Wrong file.", None),
            ("service", "resolve", "Sent again.", None), ("customer", "confirm", "", None),
        ]:
            machine.take(actor, name, comment, assignee)
            machine.only_declared_states()
            machine.offers_exactly_what_the_acl_allows()
            seen.add(machine.item.state)
        assert seen == set(REQUEST.states)
        assert machine.steps == 9
    finally:
        machine.teardown()


def test_nobody_takes_the_automatic_close_by_hand():
    machine = RequestStates()
    try:
        for actor, name, comment in [("service", "assign", ""), ("service", "start", ""),
                                     ("service", "resolve", "Done.")]:
            machine.take(actor, name, comment, "service")
        for actor in ("customer", "service", "manager", "head", "assignee"):
            machine.take(actor, "auto_close", "", None)
        assert machine.item.state == "resolved" and machine.steps == 4
    finally:
        machine.teardown()
