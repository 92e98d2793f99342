"""One-time form tokens: what a token binds (form, user, time), using one once, pruning the used ones."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db.meta import utcnow
from portal.formtokens.models import UsedFormToken
from portal.formtokens.services import FormTokenService, TokenPolicy, TokenRefused, prune_used
from tests.factories import UserFactory

SETTINGS = {"portal.session.secret": "test-secret-0123456789abcdef0123456789abcdef"}


@pytest.fixture
def policy():
    return TokenPolicy.from_settings(SETTINGS)


@pytest.fixture
def users(dbsession):
    return UserFactory(), UserFactory()


def service(dbsession, policy, user, clock=utcnow):
    return FormTokenService(dbsession, policy, user.id, clock=clock)


def test_a_token_is_good_for_its_form_and_user_only(dbsession, policy, users):
    mine, theirs = (service(dbsession, policy, user) for user in users)
    token = mine.issue("new-ticket")
    assert mine.verify("new-ticket", token) == token.split(".")[1]
    for refused in (lambda: theirs.verify("new-ticket", token), lambda: mine.verify("new-thread", token)):
        with pytest.raises(TokenRefused, match="not opened by you here"):
            refused()


@pytest.mark.parametrize("spoil", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature altered
    lambda t: str(int(t.split(".")[0]) + 1) + t[t.index("."):],  # the time of issue altered
    lambda t: "",
    lambda t: "a.b",
    lambda t: "x.y.z",
    lambda t: None,
])
def test_an_altered_or_malformed_token_is_refused(dbsession, policy, users, spoil):
    mine = service(dbsession, policy, users[0])
    with pytest.raises(TokenRefused):
        mine.verify("new-ticket", spoil(mine.issue("new-ticket")))


def test_a_token_of_another_secret_is_refused(dbsession, policy, users):
    other = TokenPolicy.from_settings({"portal.session.secret": "another-secret-0123456789abcdef0123456789"})
    token = service(dbsession, other, users[0]).issue("new-ticket")
    with pytest.raises(TokenRefused):
        service(dbsession, policy, users[0]).verify("new-ticket", token)


def test_a_token_expires_after_its_lifetime_and_is_not_good_before_its_time(dbsession, users):
    policy = TokenPolicy.from_settings(dict(SETTINGS, **{"portal.forms.token_hours": "2"}))
    assert policy.lifetime == timedelta(hours=2)
    now = utcnow()
    token = service(dbsession, policy, users[0], clock=lambda: now).issue("new-ticket")
    later = service(dbsession, policy, users[0], clock=lambda: now + timedelta(hours=2) - timedelta(seconds=5))
    assert later.verify("new-ticket", token)
    too_late = service(dbsession, policy, users[0], clock=lambda: now + timedelta(hours=2, seconds=5))
    with pytest.raises(TokenRefused) as refused:
        too_late.verify("new-ticket", token)
    assert "more than 2 hours ago" in refused.value.message.interpolate()
    before = service(dbsession, policy, users[0], clock=lambda: now - timedelta(hours=1))
    with pytest.raises(TokenRefused, match="not opened by you here"):
        before.verify("new-ticket", token)


def test_a_token_is_used_once_and_remembers_where_it_led(dbsession, policy, users):
    mine = service(dbsession, policy, users[0])
    nonce = mine.verify("new-ticket", mine.issue("new-ticket"))
    assert mine.used(nonce) is None
    assert mine.claim(nonce, "new-ticket") is None  # recorded: this one files
    mine.record(nonce, "/p/1/tickets/7/")
    again = mine.claim(nonce, "new-ticket")
    assert (again.nonce, again.user_id, again.form, again.location) == (nonce, users[0].id, "new-ticket",
                                                                         "/p/1/tickets/7/")
    assert mine.used(nonce).location == "/p/1/tickets/7/"
    assert dbsession.scalar(select(func.count()).select_from(UsedFormToken)) == 1
    assert service(dbsession, policy, users[1]).used(nonce) is None  # someone else's record is not theirs


def test_pruning_forgets_only_the_tokens_older_than_their_lifetime(dbsession, policy, users):
    now = utcnow()
    for age in (timedelta(hours=1), policy.lifetime - timedelta(minutes=1), policy.lifetime + timedelta(minutes=1),
                timedelta(days=30)):
        mine = service(dbsession, policy, users[0], clock=lambda age=age: now - age)
        mine.claim(mine.verify("new-ticket", mine.issue("new-ticket")), "new-ticket")
    assert prune_used(dbsession, policy.lifetime, now=now) == 2
    assert dbsession.scalar(select(func.count()).select_from(UsedFormToken)) == 2
    assert prune_used(dbsession, policy.lifetime, now=now) == 0
