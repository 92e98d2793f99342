"""Who hears of a move (workflows/notices.py): the author and assignee of every move, and the staff each
kind's ``watchers`` name for the moves that bring new work — only while they may see the party, never
the one who made the move."""
from types import SimpleNamespace

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from portal.changes.workflow import CHANGE_REQUEST
from portal.requests.workflow import REQUEST
from portal.tickets.workflow import SERVICE_TICKET
from portal.workflows.engine import CREATE, TransitionApplied, TransitionContext
from portal.workflows.notices import recipients, watchers
from tests.factories import (
    ManagerAssignmentFactory,
    PartyFactory,
    StaffGroupFactory,
    app_registry,
    customer,
    staff,
)
from tests.factories.workflow_items import ChangeRequestFactory, CustomerRequestFactory, ServiceTicketFactory


@pytest.fixture
def world(dbsession):
    w = SimpleNamespace(party=PartyFactory(name="Sever Energo"), other=PartyFactory(name="Vostok"))
    w.dispatch, w.metering = StaffGroupFactory(name="Dispatch"), StaffGroupFactory(name="Metering")
    w.dispatcher = staff("service", group=w.dispatch, last_name="Dispatcher")
    w.quiet = staff("service", group=w.dispatch, last_name="Quiet", notify="portal")
    w.blocked = staff("service", group=w.dispatch, last_name="Blocked", state="blocked")
    w.meterman = staff("service", group=w.metering, last_name="Meterman")
    w.clerk = staff("backoffice", last_name="Clerk")
    w.manager = staff("manager", last_name="Manager")
    ManagerAssignmentFactory(user_id=w.manager.id, party_id=w.party.id)
    w.elsewhere = staff("manager", last_name="Elsewhere")
    ManagerAssignmentFactory(user_id=w.elsewhere.id, party_id=w.other.id)
    # Assigned to the party while a manager, now head: he reads, he works no party's items.
    w.former = staff("head", last_name="Former")  # and sees every party, but is told of none
    ManagerAssignmentFactory(user_id=w.former.id, party_id=w.party.id)
    # A manager of this party without the group, outside it: a member of the group who may not see it.
    w.grouped_manager = staff("manager", group=w.dispatch, last_name="Grouped")
    ManagerAssignmentFactory(user_id=w.grouped_manager.id, party_id=w.other.id)
    w.author = customer(w.party, last_name="Author")
    return w


def event(dbsession, workflow, item, transition, to_state, actor_id):
    ctx = TransitionContext(session=dbsession, actor_id=actor_id)
    return TransitionApplied(workflow=workflow, item=item, transition=transition, from_state=None,
                             to_state=to_state, actor_id=actor_id, comment="", context=ctx)


def heard(dbsession, workflow, item, transition, to_state, actor_id) -> set[int]:
    return set(recipients(app_registry(), event(dbsession, workflow, item, transition, to_state, actor_id)))


def test_a_filed_request_is_news_for_its_group_and_the_partys_managers(dbsession, world):
    item = CustomerRequestFactory(party=world.party, group_id=world.dispatch.id, author_id=world.author.id)
    assert heard(dbsession, REQUEST, item, CREATE, "new", world.author.id) == {
        world.dispatcher.id, world.quiet.id, world.manager.id}  # e-mail off still means a notice


def test_a_request_routed_nowhere_is_news_for_the_service_role(dbsession, world):
    item = CustomerRequestFactory(party=world.party, group_id=None, author_id=world.author.id)
    assert heard(dbsession, REQUEST, item, CREATE, "new", world.author.id) == {
        world.dispatcher.id, world.quiet.id, world.meterman.id, world.manager.id}


def test_its_assignee_hears_of_it_and_the_one_who_filed_it_does_not(dbsession, world):
    item = CustomerRequestFactory(party=world.party, group_id=world.metering.id, author_id=world.author.id,
                                  assignee_id=world.clerk.id)
    assert heard(dbsession, REQUEST, item, CREATE, "new", world.manager.id) == {
        world.meterman.id, world.clerk.id, world.author.id}


def test_later_moves_tell_only_the_author_and_the_assignee(dbsession, world):
    item = CustomerRequestFactory(party=world.party, group_id=world.dispatch.id, author_id=world.author.id,
                                  assignee_id=world.dispatcher.id, state="in_progress")
    ev = event(dbsession, REQUEST, item, "start", "in_progress", world.dispatcher.id)
    assert watchers(app_registry(), ev) is None
    assert set(recipients(app_registry(), ev)) == {world.author.id}


def test_only_a_critical_ticket_is_news_for_the_staff_who_work_tickets(dbsession, world):
    for priority in ("low", "normal", "high"):
        ticket = ServiceTicketFactory(party=world.party, author_id=world.author.id, priority=priority)
        assert heard(dbsession, SERVICE_TICKET, ticket, CREATE, "new", world.author.id) == set(), priority
    ticket = ServiceTicketFactory(party=world.party, author_id=world.author.id, priority="critical")
    assert heard(dbsession, SERVICE_TICKET, ticket, CREATE, "new", world.author.id) == {
        world.dispatcher.id, world.quiet.id, world.meterman.id, world.manager.id}
    routed = ServiceTicketFactory(party=world.party, author_id=world.author.id, priority="critical",
                                  group_id=world.metering.id)
    assert heard(dbsession, SERVICE_TICKET, routed, CREATE, "new", world.author.id) == {
        world.meterman.id, world.manager.id}


def test_a_submitted_change_request_is_news_for_those_who_decide_it(dbsession, world):
    item = ChangeRequestFactory(party=world.party, author_id=world.author.id, state="draft")
    assert heard(dbsession, CHANGE_REQUEST, item, CREATE, "draft", world.author.id) == set()
    item.state = "submitted"
    assert heard(dbsession, CHANGE_REQUEST, item, "submit", "submitted", world.author.id) == {
        world.clerk.id, world.manager.id}
    assert heard(dbsession, CHANGE_REQUEST, item, "withdraw", "withdrawn", world.author.id) == set()


def test_watchers_and_their_news_are_registered_together():
    config = Configurator()
    config.include("portal.workflows.kinds")
    with pytest.raises(ConfigurationError, match="watchers and news"):
        config.add_work_kind(REQUEST, segment="requests", key="request", title="Request", plural="Requests",
                             view_permission="requests:view", watchers=lambda event: None)
