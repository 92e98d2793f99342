"""Rate limits counted in the database: ``count`` events a period per key, then refused until the oldest
leaves the period; each name and key on its own."""
from datetime import timedelta

from portal.db.meta import utcnow
from portal.onboarding.limits import DatabaseRateLimiter, Limit


def test_a_limit_refuses_past_its_count_until_the_oldest_event_leaves_the_period(dbsession):
    now = [utcnow()]
    limit = DatabaseRateLimiter(dbsession, "sms.phone", Limit(2, timedelta(hours=1)), clock=lambda: now[0])
    other = DatabaseRateLimiter(dbsession, "sms.address", Limit(2, timedelta(hours=1)), clock=lambda: now[0])
    first = now[0]
    assert limit.retry_after("+7900") is None
    limit.hit("+7900")
    now[0] += timedelta(minutes=10)
    limit.hit("+7900")
    assert limit.retry_after("+7900") == first + timedelta(hours=1)
    assert limit.retry_after("+7911") is None and other.retry_after("+7900") is None
    now[0] = first + timedelta(hours=1, seconds=1)
    assert limit.retry_after("+7900") is None
    limit.hit("+7900")
    assert limit.retry_after("+7900") is not None
