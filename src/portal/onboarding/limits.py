"""Rate limits of onboarding, each a named ``IRateLimiter`` service counted in the database (so it
holds across worker processes): ``request.find_service(IRateLimiter, name="sms.phone")``.

Each counts events of one kind per key (a phone number, a client address, a user) in a sliding
period; once ``count`` are in the period, the next is refused until the oldest of them leaves it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from zope.interface import Interface, implementer

from portal.db.meta import utcnow
from portal.onboarding.models import RateLimitHit

KEY_LENGTH = 254


@dataclass(frozen=True)
class Limit:
    count: int
    period: timedelta


LIMITS = {
    # SMS codes sent to one phone number, and for one client address (registration's phone step).
    "sms.phone": Limit(3, timedelta(hours=1)),
    "sms.address": Limit(10, timedelta(hours=1)),
    # Registrations sent from one client address.
    "register.address": Limit(10, timedelta(hours=1)),
    # Wrong activation codes typed from one client address (the two parts of /activate).
    "activate.address": Limit(10, timedelta(hours=1)),
    # Requests to act for a company made by one user.
    "membership.user": Limit(10, timedelta(days=1)),
}


class IRateLimiter(Interface):
    """One named rate limit."""

    def retry_after(key):
        """None when an event of ``key`` may happen now; else the moment it may."""

    def hit(key):
        """Count one event of ``key``."""


@implementer(IRateLimiter)
class DatabaseRateLimiter:
    """A limit counted in ``rate_limit_hits``; its expired rows go as new ones come."""

    def __init__(self, db, name: str, limit: Limit, clock=utcnow):
        self.db = db
        self.name = name
        self.limit = limit
        self.clock = clock

    def retry_after(self, key) -> datetime | None:
        now = self.clock()
        oldest = self.db.scalar(
            select(RateLimitHit.at)
            .where(RateLimitHit.name == self.name, RateLimitHit.key == str(key)[:KEY_LENGTH],
                   RateLimitHit.at > now - self.limit.period)
            .order_by(RateLimitHit.at.desc()).offset(self.limit.count - 1).limit(1))
        return None if oldest is None else oldest + self.limit.period

    def hit(self, key) -> None:
        now = self.clock()
        self.db.execute(delete(RateLimitHit).where(RateLimitHit.name == self.name,
                                                   RateLimitHit.at <= now - self.limit.period))
        self.db.add(RateLimitHit(name=self.name, key=str(key)[:KEY_LENGTH], at=now))
        self.db.flush()


def limiter(request, name: str) -> IRateLimiter:
    return request.find_service(IRateLimiter, name=name)


def includeme(config):
    for name, limit in LIMITS.items():
        def factory(context, request, name=name, limit=limit):
            return DatabaseRateLimiter(request.dbsession, name, limit)

        config.register_service_factory(factory, IRateLimiter, name=name)
