"""The security policy: identity from the login session, decisions from the ACL."""
from sqlalchemy import event

from portal.parties.resources import PartyContainer, PartyResource
from portal.security.permissions import Permission
from tests.conftest import login
from tests.factories import (
    ManagerAssignmentFactory,
    MembershipFactory,
    PartyFactory,
    StaffGroupFactory,
    StaffGroupMemberFactory,
    UserFactory,
    UserRoleFactory,
    staff,
)


def request_for(app, testapp, path="/account/"):
    """A real request carrying the test client's cookies, run through the app's policy."""
    from pyramid.request import Request
    from pyramid.scripting import prepare

    req = Request.blank(path, environ=dict(testapp.extra_environ))
    cookie = "; ".join(f"{k}={v}" for k, v in testapp.cookies.items())
    if cookie:
        req.headers["Cookie"] = cookie
    env = prepare(request=req, registry=app.registry)
    return env


def test_anonymous_request_has_no_identity(app, testapp):
    env = request_for(app, testapp)
    try:
        assert env["request"].identity is None
        assert env["request"].authenticated_userid is None
    finally:
        env["closer"]()


def test_identity_reflects_active_memberships_only(app, testapp, dbsession):
    a, b = PartyFactory(), PartyFactory()
    user = UserFactory()
    MembershipFactory(user=user, party=a)
    MembershipFactory(user=user, party=b, state="revoked")
    login(testapp, user.login)
    env = request_for(app, testapp)
    try:
        request = env["request"]
        assert request.identity.party_ids == frozenset({a.id})
        assert request.authenticated_userid == user.id
        assert request.has_permission(Permission.PartyView, PartyResource(a, PartyContainer(None, dbsession, app.registry)))
        assert not request.has_permission(Permission.PartyView, PartyResource(b, PartyContainer(None, dbsession, app.registry)))
    finally:
        env["closer"]()


def test_identity_is_gone_once_the_user_is_blocked(app, testapp, dbsession):
    user = staff("head")
    login(testapp, user.login)
    user.state = "blocked"
    dbsession.flush()
    env = request_for(app, testapp)
    try:
        assert env["request"].identity is None
    finally:
        env["closer"]()


def test_a_forged_session_token_gives_no_identity(app, testapp, dbsession):
    from pyramid.request import Request
    from pyramid.scripting import prepare

    req = Request.blank("/", environ=dict(testapp.extra_environ))
    env = prepare(request=req, registry=app.registry)
    try:
        env["request"].session["auth"] = "forged-token"
        assert env["request"].identity is None
        env["request"].session["auth"] = {"not": "a string"}
        assert env["request"].identity is None
    finally:
        env["closer"]()


def test_identity_is_one_statement_with_every_grant(app, testapp, dbsession):
    a, b, c = PartyFactory(), PartyFactory(), PartyFactory()
    user = staff("manager")
    UserRoleFactory(user=user, role="service")
    MembershipFactory(user=user, party=a)
    MembershipFactory(user=user, party=b, state="requested")
    ManagerAssignmentFactory(user_id=user.id, party_id=c.id)
    group = StaffGroupFactory()
    StaffGroupMemberFactory(group_id=group.id, user_id=user.id)
    login(testapp, user.login)
    env = request_for(app, testapp)
    seen = []
    engine = dbsession.get_bind()

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        identity = env["request"].identity
        assert env["request"].has_permission(Permission.PartyView, PartyResource(c, PartyContainer(None, dbsession, app.registry)))
        assert env["request"].effective_principals == env["request"].effective_principals
    finally:
        event.remove(engine, "before_cursor_execute", record)
        env["closer"]()
    assert len(seen) == 1, seen  # session, user, roles, memberships, managed parties, groups: one round trip
    assert identity.user.id == user.id and identity.roles == frozenset({"manager", "service"})
    assert identity.party_ids == frozenset({a.id}) and identity.managed_party_ids == frozenset({c.id})
    assert identity.group_ids == frozenset({group.id})


def test_a_customer_in_a_staff_group_gets_no_group(app, testapp, dbsession):
    user = UserFactory()
    MembershipFactory(user=user, party=PartyFactory())
    StaffGroupMemberFactory(group_id=StaffGroupFactory().id, user_id=user.id)
    login(testapp, user.login)
    env = request_for(app, testapp)
    try:
        assert env["request"].identity.group_ids == frozenset() and not env["request"].identity.is_staff
    finally:
        env["closer"]()

