"""Account tokens: random, stored hashed, expiring, single-use; a newer one kills the older."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from portal.onboarding.models import AccountToken, TokenPurpose
from portal.onboarding.tokens import issue_token, token_hash, use_token, valid_token
from tests.factories import UserFactory

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
RESET = TokenPurpose.password_reset


def test_a_token_is_random_and_only_its_hash_is_stored(dbsession):
    user = UserFactory()
    first = issue_token(dbsession, user, RESET, HOUR, now=NOON)
    second = issue_token(dbsession, UserFactory(), RESET, HOUR, now=NOON)
    assert first != second and len(first) >= 40
    stored = dbsession.scalars(select(AccountToken.token_hash).where(AccountToken.user_id == user.id)).all()
    assert stored == [token_hash(first)] and first not in stored


def test_a_token_works_once(dbsession):
    user = UserFactory()
    token = issue_token(dbsession, user, RESET, HOUR, now=NOON)
    assert valid_token(dbsession, token, RESET, now=NOON).user_id == user.id  # looking does not use it
    used = use_token(dbsession, token, RESET, now=NOON + timedelta(minutes=5))
    assert used.user_id == user.id and used.used_at == NOON + timedelta(minutes=5)
    assert use_token(dbsession, token, RESET, now=NOON + timedelta(minutes=6)) is None
    assert valid_token(dbsession, token, RESET, now=NOON + timedelta(minutes=6)) is None


def test_a_token_expires(dbsession):
    token = issue_token(dbsession, UserFactory(), RESET, HOUR, now=NOON)
    assert valid_token(dbsession, token, RESET, now=NOON + HOUR - timedelta(seconds=1)) is not None
    assert valid_token(dbsession, token, RESET, now=NOON + HOUR) is None
    assert use_token(dbsession, token, RESET, now=NOON + HOUR) is None
    record = dbsession.scalars(select(AccountToken).where(AccountToken.token_hash == token_hash(token))).one()
    assert record.used_at is None  # an expired token is refused, not marked used


def test_forged_tokens_and_other_purposes_are_refused(dbsession):
    token = issue_token(dbsession, UserFactory(), RESET, HOUR, now=NOON)
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 500, None, 42, token.upper()):
        assert valid_token(dbsession, forged, RESET, now=NOON) is None, forged
        assert use_token(dbsession, forged, RESET, now=NOON) is None, forged
    assert use_token(dbsession, token, TokenPurpose.invitation, now=NOON) is None
    assert use_token(dbsession, token, RESET, now=NOON) is not None  # still good for its own purpose


def test_a_newer_token_kills_the_older_of_the_same_purpose_only(dbsession):
    user = UserFactory()
    older = issue_token(dbsession, user, RESET, HOUR, now=NOON)
    invitation = issue_token(dbsession, user, TokenPurpose.invitation, HOUR, now=NOON)
    newer = issue_token(dbsession, user, RESET, HOUR, now=NOON + timedelta(minutes=1))
    assert valid_token(dbsession, older, RESET, now=NOON + timedelta(minutes=2)) is None
    assert valid_token(dbsession, newer, RESET, now=NOON + timedelta(minutes=2)) is not None
    assert valid_token(dbsession, invitation, TokenPurpose.invitation, now=NOON + timedelta(minutes=2)) is not None
    other_user = UserFactory()
    issue_token(dbsession, other_user, RESET, HOUR, now=NOON + timedelta(minutes=3))
    assert valid_token(dbsession, newer, RESET, now=NOON + timedelta(minutes=4)) is not None  # not another user's


def test_a_composed_token_and_its_data_are_kept(dbsession):
    user = UserFactory()
    token = issue_token(dbsession, user, TokenPurpose.activation, HOUR, token="part-one.part-two",
                        data={"party_id": 7}, now=NOON)
    assert token == "part-one.part-two"
    assert use_token(dbsession, "part-one.part-two", TokenPurpose.activation, now=NOON).data == {"party_id": 7}
