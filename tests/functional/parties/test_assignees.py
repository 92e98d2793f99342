"""Work goes only to those who may see its party, and news of it only to those who may open it:
one rule (portal.parties.services) behind the assign choices, the assign guard, the in-app notices
and the e-mails, and it answers as the party's ACL does."""
from types import SimpleNamespace

import pytest
import webtest
from pyramid.authorization import ACLHelper
from sqlalchemy import select

from portal.identity.auth import load_identity
from portal.outbox.models import OutboxMessage
from portal.parties.resources import PartyContainer
from portal.parties.services import may_see_party
from portal.security.permissions import Permission
from portal.security.principals import principals_for
from portal.tickets.models import ServiceTicket
from portal.workflows.kinds import work_kinds
from portal.workflows.models import Notice
from tests.conftest import csrf_token, login
from tests.factories import ManagerAssignmentFactory, MembershipFactory, PartyFactory, customer, staff
from tests.factories.workflow_items import ServiceTicketFactory


@pytest.fixture
def world(dbsession):
    """Sever Trans and Vostok; a manager of Vostok only, one of Sever Trans, service and back office."""
    w = SimpleNamespace(sever=PartyFactory(name="Sever Trans"), vostok=PartyFactory(name="Vostok Logistics"))
    w.service = staff("service", last_name="Service", email="service@portal.test")
    w.clerk = staff("backoffice", last_name="Clerk")
    w.manager = staff("manager", last_name="Novak", email="novak@portal.test")
    ManagerAssignmentFactory(user_id=w.manager.id, party_id=w.vostok.id)
    w.sever_manager = staff("manager", last_name="Severov")
    ManagerAssignmentFactory(user_id=w.sever_manager.id, party_id=w.sever.id)
    w.head = staff("head", last_name="Head")
    w.author = customer(w.sever, last_name="Author", email="author@sever.test")
    w.ticket = ServiceTicketFactory(party=w.sever, subject="Boiler", author_id=w.author.id)
    w.vostok_ticket = ServiceTicketFactory(party=w.vostok, subject="Crane")
    return w


def browser(app, testapp, user):
    b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(b, user.login)
    return b


def offered(page, form_id=None):
    scope = page.html.select_one(f"#{form_id}") if form_id else page.html
    return {o.text.split()[0] for o in scope.select("select[name=assignee_id] option") if o.get("value")}


def test_the_item_page_offers_only_assignees_who_may_see_its_party(testapp, world):
    login(testapp, world.service.login)
    page = testapp.get(f"/p/{world.sever.id}/tickets/{world.ticket.id}/")
    assert offered(page) == {"Service", "Clerk", "Severov"}
    page = testapp.get(f"/p/{world.vostok.id}/tickets/{world.vostok_ticket.id}/")
    assert offered(page) == {"Service", "Clerk", "Novak"}


def test_assigning_to_someone_who_cannot_see_the_party_is_refused(testapp, dbsession, world):
    login(testapp, world.service.login)
    url = f"/p/{world.sever.id}/tickets/{world.ticket.id}/"
    page = testapp.post(url + "transition", {"csrf_token": csrf_token(testapp), "transition": "assign",
                                             "assignee_id": str(world.manager.id)}).follow()
    assert "can be assigned only to someone who may see" in page.text
    dbsession.flush()
    dbsession.expire_all()
    ticket = dbsession.get(ServiceTicket, world.ticket.id)
    assert (ticket.state, ticket.assignee_id) == ("new", None)
    assert dbsession.scalars(select(OutboxMessage)).all() == []
    assert dbsession.scalars(select(Notice)).all() == []


def test_bulk_assign_offers_only_assignees_who_may_see_every_listed_party(testapp, dbsession, world):
    login(testapp, world.service.login)
    page = testapp.get("/service/?kind=ticket")
    # Tickets of both parties are listed: each manager sees only one of them.
    assert offered(page, "bulk-assign") == {"Service", "Clerk"}
    world.ticket.state = "closed"
    dbsession.flush()
    page = testapp.get("/service/?kind=ticket")  # Vostok's ticket alone
    assert offered(page, "bulk-assign") == {"Service", "Clerk", "Novak"}


def test_bulk_assign_refuses_a_forged_assignee_who_cannot_see_the_party(testapp, dbsession, world):
    login(testapp, world.service.login)
    page = testapp.post("/service/assign", [
        ("csrf_token", csrf_token(testapp)), ("item", f"ticket-{world.ticket.id}"),
        ("item", f"ticket-{world.vostok_ticket.id}"), ("assignee_id", str(world.manager.id)),
    ]).follow()
    assert f"Assigned to Novak Test: Service ticket #{world.vostok_ticket.id}." in page.text
    assert f"not allowed for you): Service ticket #{world.ticket.id}." in page.text
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(ServiceTicket, world.ticket.id).assignee_id is None


def test_no_notice_or_e_mail_for_an_assignee_who_may_not_open_the_item(testapp, app, dbsession, world):
    # Assigned before the guard existed: the manager of Vostok holds a Sever Trans ticket.
    world.ticket.state, world.ticket.assignee_id = "resolved", world.manager.id
    dbsession.flush()
    author = browser(app, testapp, world.author)
    page = author.get(f"/p/{world.sever.id}/tickets/{world.ticket.id}/")
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == "reopen")
    form["comment"] = "Still leaking"
    form.submit(status=303)
    dbsession.flush()
    assert [m.recipient for m in dbsession.scalars(select(OutboxMessage))] == []
    assert dbsession.scalars(select(Notice).where(Notice.user_id == world.manager.id)).all() == []
    browser(app, testapp, world.manager).get(f"/p/{world.sever.id}/tickets/{world.ticket.id}/", status=404)


def test_the_rule_answers_as_the_partys_acl_for_every_kind_of_user(app, dbsession, world):
    left = customer(world.sever)
    left.memberships[0].state = "revoked"
    both = staff("manager", last_name="Both")
    MembershipFactory(user=both, party=world.sever)
    dbsession.flush()
    users = [world.service, world.clerk, world.manager, world.sever_manager, world.head, world.author, left, both,
             staff("admin"), customer(world.vostok)]
    parties = PartyContainer(None, dbsession=dbsession, registry=app.registry)
    permissions = [Permission.PartyView] + [kind.view_permission for kind in work_kinds(app.registry).values()]
    helper = ACLHelper()
    for user in users:
        principals = principals_for(load_identity(dbsession, user))
        for party in (world.sever, world.vostok):
            resource = parties[str(party.id)]
            for permission in permissions:
                assert may_see_party(dbsession, user.id, party.id) == bool(
                    helper.permits(resource, principals, permission)), (user.last_name, party.name, permission)
