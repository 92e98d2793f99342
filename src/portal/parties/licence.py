"""The licence limit: how many customer users may use the portal (``portal.max_customer_users``).

A plan allows 3, 10 or 25 customer users, or any number (``unlimited``, the default when the setting
is absent). A **customer user** holds a seat while it is active, holds no staff role and has at least
one active membership (whether that party is blocked or not: blocking a party keeps its users' seats,
so unblocking it never fails on the licence). Requested, suspended and revoked memberships hold none.

Whatever is about to make a user a customer user (a new user with a party, a membership made
active, a user unblocked, a customer's last staff role taken away) first calls ``claim_seat``: it
updates the licence's one row, which serialises every such claim (a row lock on PostgreSQL until the
transaction ends; on SQLite the database's one writer, taken by that first write), and only then
counts, so nothing is changed when the claim is refused. Of two administrators taking the last seat
at once, the second counts after the first has committed, and is refused. A row lock rather than
SERIALIZABLE with retries: the count reads users, roles and memberships, so a serializable snapshot
would make every concurrent change of those tables a reason to retry, while the lock makes only
claims wait, and only for each other.
"""
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError
from sqlalchemy import bindparam, exists, func, select, update

from portal.db.meta import utcnow
from portal.i18n import _
from portal.identity.models import User, UserRole, UserState
from portal.parties.models import CustomerLicence, Membership, MembershipState

LIMIT_SETTING = "portal.max_customer_users"
UNLIMITED = "unlimited"
LICENCE_ROW = 1


def parse_limit(settings) -> int | None:
    """``portal.max_customer_users`` as a number of seats, None for unlimited; a bad value stops the start."""
    raw = str((settings or {}).get(LIMIT_SETTING, UNLIMITED)).strip().lower()
    if raw == UNLIMITED:
        return None
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ConfigurationError(f"{LIMIT_SETTING} must be a whole number of at least 1 or "
                                 f"{UNLIMITED!r}, not {raw!r}")
    return limit


def licence_limit(registry) -> int | None:
    """The limit, read at start (parties/__init__.py)."""
    return registry[LIMIT_SETTING]


def customer_users():
    """SQL: the ids of the users that hold a seat (see the module docstring)."""
    return select(User.id).where(
        User.state == UserState.active.value,
        ~exists().where(UserRole.user_id == User.id),
        exists().where(Membership.user_id == User.id, Membership.state == MembershipState.active.value),
    )


def _count_of(seats):
    return select(func.count()).select_from(seats.subquery())


# The two counts of seats, built once (building one cost the user list as much as the page's own
# rows): every seat, and the seats up to a limit bound as ``upto``.
SEATS = {False: _count_of(customer_users()), True: _count_of(customer_users().limit(bindparam("upto")))}


def seats_used(session, upto: int | None = None) -> int:
    """The seats taken; counted up to ``upto`` + 1 when given (a count that stops early reads a few
    rows, where the whole count reads every user: 14 ms at 15,000 users)."""
    if upto is None:
        return session.scalar(SEATS[False])
    return session.scalar(SEATS[True], {"upto": upto + 1})


# How far the user list counts the seats of a licence that allows any number (or fewer than this).
SHOWN_SEATS = 1000


@dataclass(frozen=True)
class LicenceUsage:
    """Seats used of the limit (None: unlimited), as administrators are shown it; ``more``: there are
    more than ``used`` (counted that far)."""

    used: int
    limit: int | None
    more: bool = False

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def licence_usage(session, limit: int | None) -> LicenceUsage:
    """What the user list shows: the seats taken, exact up to ``SHOWN_SEATS`` or the limit if it is
    higher, "more than" that beyond (a licence that many seats over its limit is full all the same)."""
    upto = max(SHOWN_SEATS, limit or 0)
    used = seats_used(session, upto=upto)
    return LicenceUsage(min(used, upto), limit, more=used > upto)


class SeatRefused(Exception):
    """The change would put more customer users in the portal than the licence allows; ``message``
    is translatable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def claim_seat(session, limit: int | None, user_id: int | None) -> None:
    """Before ``user_id`` (None: a user about to be created) becomes a customer user: refused
    (``SeatRefused``) when every seat of ``limit`` is taken by others; nothing when unlimited. The
    caller makes its change after this, in the same transaction."""
    if limit is None:
        return
    # The lock: every claim passes here one after the other (see the module docstring).
    locked = session.execute(
        update(CustomerLicence).where(CustomerLicence.id == LICENCE_ROW).values(checked_at=utcnow()))
    if locked.rowcount == 0:  # a database made without the migration, which writes the row
        session.add(CustomerLicence(id=LICENCE_ROW, checked_at=utcnow()))
        session.flush()
    holders = customer_users()
    if user_id is not None and session.scalar(holders.where(User.id == user_id)) is not None:
        return  # it holds a seat already
    used = seats_used(session)
    if used >= limit:
        raise SeatRefused(_(
            "The licence allows ${limit} customer users, and all ${used} seats are taken. Block a customer "
            "user or end its access to its parties first, or extend the licence.",
            mapping={"limit": limit, "used": used}))
