"""Logging in: credentials (a login name, or the e-mail or phone of one user), lockout, per-address
throttling and login sessions.

Counters live in the database so they hold across worker processes; the
cookie carries only a random token whose hash names an ``AuthSession`` row.
"""
import hashlib
import math
import re
import secrets
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyramid.csrf import new_csrf_token
from sqlalchemy import String, bindparam, cast, delete, func, or_, select, update
from zope.interface import implementer

from portal.db.lists import comma_list
from portal.db.meta import utcnow
from portal.i18n import SESSION_LANG_KEY
from portal.identity.interfaces import SESSION_IDENTITY, IAuthService, IPasswordService
from portal.identity.models import AuthSession, LoginFailure, User, UserRole, UserState
from portal.parties.models import ManagerAssignment, Membership, MembershipState, Party, PartyState, member_scopes
from portal.security.principals import Identity
from portal.staff.models import StaffGroupMember

AUTH_KEY = "auth"

MAX_LOGIN_LENGTH = 64
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def normalize_login(login: str) -> str:
    return (login or "").strip().lower()


# What a phone number typed as a login may look like, and the characters stored numbers are written with.
PHONE_TYPED = re.compile(r"^\+?[\d\s().-]+$")
PHONE_PUNCTUATION = " -().+"
PHONE_DIGITS = (7, 15)


def phone_digits(column):
    """The digits of a stored phone number ("+7 423 240-10-10" -> "74232401010"), in SQL."""
    for character in PHONE_PUNCTUATION:
        column = func.replace(column, character, "")
    return column


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures lock an account or throttle an address, and for how long; how long a
    login session lasts idle, and at most."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    ip_max_failures: int = 20
    idle_timeout: timedelta = timedelta(hours=8)
    # However active, a login session ends this long after the login (portal.session.max_days).
    max_age: timedelta = timedelta(days=7)

    @classmethod
    def from_settings(cls, settings):
        return cls(
            max_failures=int(settings.get("portal.login.max_failures", 5)),
            lockout=timedelta(minutes=int(settings.get("portal.login.lockout_minutes", 15))),
            ip_max_failures=int(settings.get("portal.login.ip_max_failures", 20)),
            idle_timeout=timedelta(minutes=int(settings.get("portal.session.idle_minutes", 480))),
            max_age=timedelta(days=float(settings.get("portal.session.max_days", 7))),
        )


_DUMMY_HASHES = weakref.WeakKeyDictionary()


def dummy_hash(passwords) -> str:
    """A real hash to verify against when the login is unknown, so that the
    answer takes as long as for a known login.

    Made once per password service, i.e. once per process: hashing costs as
    much as a login (about half a second at production cost), far too much to
    pay on every request that merely builds this service.
    """
    made = _DUMMY_HASHES.get(passwords)
    if made is None:
        made = _DUMMY_HASHES.setdefault(passwords, passwords.hash("not-a-real-password"))
    return made


@dataclass(frozen=True)
class LoginResult:
    """A user on success; otherwise ``error`` is 'failed', 'locked' (too many failures for this
    login) or 'throttled' (too many from this address), with ``retry_minutes`` for the last two.

    For the audit log, never for the person trying: ``counted`` says the attempt was counted as a
    failure (not refused beforehand by a lock or a throttle), ``user_id`` whose login it was
    when the login exists.
    """

    user: User | None = None
    error: str | None = None
    retry_minutes: int | None = None
    counted: bool = False
    user_id: int | None = None


def minutes_until(moment, now) -> int:
    """Whole minutes from ``now`` to ``moment``, rounded up, at least 1 (what a person is told)."""
    return max(1, math.ceil((moment - now).total_seconds() / 60))


@implementer(IAuthService)
class DatabaseAuthService:
    """Authenticates against the users table and keeps login sessions in the database.

    Every attempt costs the same, one argon2 verification, whether the login
    exists or not and however it fails (locked, throttled, blocked, no password),
    so that timing tells nothing. A lock belongs to the user, however it was named
    (login, e-mail or phone), or to the login typed when it names nobody: an
    unknown login that failed as often is "locked" just the same, for as long.
    """

    def __init__(self, dbsession, passwords, policy: LoginPolicy, request=None):
        self.db = dbsession
        self.passwords = passwords
        self.policy = policy
        self.request = request

    # --- credentials -------------------------------------------------------
    def user_for_login(self, login: str) -> User | None:
        """The user ``login`` (normalised) names: the one with that login, else the one user with that
        e-mail address or phone number. An address or number several users share names none of them:
        they log in with their login names."""
        if not 0 < len(login) <= MAX_LOGIN_LENGTH:
            return None
        user = self.db.scalars(select(User).where(User.login == login)).first()
        if user is not None:
            return user
        if "@" in login:
            match = func.lower(User.email) == login
        elif PHONE_TYPED.match(login):
            digits = re.sub(r"\D", "", login)
            if not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
                return None
            match = phone_digits(User.phone) == digits
        else:
            return None
        found = self.db.scalars(select(User).where(match).limit(2)).all()
        return found[0] if len(found) == 1 else None

    def authenticate(self, login: str, password: str, ip: str) -> LoginResult:
        now = utcnow()
        login = normalize_login(login)
        throttled_until = self.address_locked_until(ip, now)
        if throttled_until is not None:
            self._verify_dummy(password)
            return LoginResult(error="throttled", retry_minutes=minutes_until(throttled_until, now))
        user = self.user_for_login(login)
        if user is not None:
            login = user.login  # failures by e-mail or phone count for the user's login, as its lock does
        locked_until = self.login_locked_until(user, login, now)
        if locked_until is not None:
            self._verify_dummy(password)
            return LoginResult(error="locked", retry_minutes=minutes_until(locked_until, now))
        if user is None or not user.password_hash:
            self._verify_dummy(password)
            return self._fail(user, login, ip, now)
        if not self.passwords.verify(user.password_hash, password or ""):
            return self._fail(user, login, ip, now)
        if user.state != UserState.active:
            return self._fail(user, login, ip, now)
        self._forget_failures(user)
        user.last_login_at = now
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        return LoginResult(user=user)

    def check_current_password(self, user: User, password: str, ip: str) -> LoginResult:
        """The current password typed on a logged-in page: a wrong one counts as a failed login
        of ``user`` (the same limit and lock); ``error`` is 'locked' once the login is locked."""
        now = utcnow()
        if self.passwords.verify(user.password_hash, password or ""):
            return LoginResult(user=user)
        result = self._fail(user, user.login, ip, now)
        if result.error != "locked" and user.locked_until is not None and user.locked_until > now:
            result = LoginResult(error="locked", retry_minutes=minutes_until(user.locked_until, now))
        return result

    def refusal(self, key: str, ip: str, user: User | None = None) -> LoginResult | None:
        """Why an attempt limited like a login (a second-factor code of ``user``, a password-reset
        request for an address as ``key``) is refused now: ``ip`` throttled or ``key`` locked; None
        when it may be made."""
        now = utcnow()
        until = self.address_locked_until(ip, now)
        if until is not None:
            return LoginResult(error="throttled", retry_minutes=minutes_until(until, now))
        until = self.login_locked_until(user, key[:MAX_LOGIN_LENGTH], now)
        if until is not None:
            return LoginResult(error="locked", retry_minutes=minutes_until(until, now))
        return None

    def count_failure(self, key: str, ip: str, user: User | None = None) -> LoginResult:
        """Count an attempt as a failed login of ``key`` (``user``'s login) from ``ip``: the same limits
        and locks; ``error`` is 'locked' when this one locked it."""
        return self._fail(user, key, ip, utcnow())

    def _verify_dummy(self, password) -> None:
        """The verification a failure would have cost, spent on a hash nobody's password matches."""
        self.passwords.verify(dummy_hash(self.passwords), password or "x")

    def address_locked_until(self, ip: str, now) -> datetime | None:
        """Until when ``ip`` is refused: while it has ``ip_max_failures`` failures in the last
        lockout period, i.e. until the oldest of its latest that many leaves the period."""
        oldest = self.db.scalar(
            select(LoginFailure.at)
            .where(LoginFailure.ip == ip, LoginFailure.at > now - self.policy.lockout)
            .order_by(LoginFailure.at.desc())
            .offset(self.policy.ip_max_failures - 1)
            .limit(1)
        )
        return None if oldest is None else oldest + self.policy.lockout

    def _recent_failures(self, login: str, now) -> list:
        """The times of the login's latest failures (newest first, at most ``max_failures``) that
        can still make a lock."""
        return self.db.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.login == login[:MAX_LOGIN_LENGTH], LoginFailure.at > now - 2 * self.policy.lockout)
            .order_by(LoginFailure.at.desc())
            .limit(self.policy.max_failures)
        ).all()

    def _lock_end(self, failures) -> datetime | None:
        """A login locks at its ``max_failures``-th failure within one lockout period, for that
        period. Attempts while it is locked are not recorded, so the lock is the newest failure's."""
        if len(failures) < self.policy.max_failures or failures[-1] <= failures[0] - self.policy.lockout:
            return None
        return failures[0] + self.policy.lockout

    def login_locked_until(self, user, login: str, now) -> datetime | None:
        """Until when ``login`` is locked: a user's lock is on its row; an unknown login's is
        worked out from its failures by the same rule, so both read alike."""
        if user is not None:
            until = user.locked_until
        else:
            until = self._lock_end(self._recent_failures(login, now))
        return until if until is not None and until > now else None

    def _fail(self, user, login, ip, now) -> LoginResult:
        user_id = user.id if user is not None else None  # read before the row is expired below
        self.db.execute(
            delete(LoginFailure).where(
                LoginFailure.ip == ip, LoginFailure.at <= now - 2 * self.policy.lockout
            )
        )
        if user is not None:
            # Failures of one user in several workers are counted one after the other.
            self.db.execute(select(User.id).where(User.id == user.id).with_for_update())
        self.db.add(LoginFailure(ip=ip, login=login[:MAX_LOGIN_LENGTH], at=now))
        self.db.flush()
        failures = self._recent_failures(login, now)
        locked_until = self._lock_end(failures)
        if user is not None:
            in_period = sum(1 for at in failures if at > now - self.policy.lockout)
            self.db.execute(
                update(User).where(User.id == user.id).values(
                    failed_logins=0 if locked_until else in_period,
                    locked_until=locked_until if locked_until else User.locked_until,
                )
            )
            self.db.expire(user)
        if locked_until is not None:
            return LoginResult(error="locked", retry_minutes=minutes_until(locked_until, now), counted=True,
                               user_id=user_id)
        return LoginResult(error="failed", counted=True, user_id=user_id)

    def _forget_failures(self, user) -> None:
        """A success or an administrator's unlock: the login's failures count no more."""
        self.db.execute(delete(LoginFailure).where(LoginFailure.login == user.login))
        user.failed_logins = 0
        user.locked_until = None

    def unlock(self, user: User) -> None:
        """Lift a user's lock (and forget the failures that made it)."""
        self._forget_failures(user)

    def unlock_address(self, ip: str) -> int:
        """Let ``ip`` log in again: its failures are forgotten; how many there were."""
        return self.db.execute(delete(LoginFailure).where(LoginFailure.ip == ip)).rowcount

    # --- login sessions ----------------------------------------------------
    def start_session(self, user_id: int) -> None:
        session = self.request.session
        lang = session.get(SESSION_LANG_KEY)
        # Rotation: nothing from the anonymous session survives except the
        # chosen language; the CSRF token is new too.
        session.invalidate()
        if lang:
            session[SESSION_LANG_KEY] = lang
        token = secrets.token_urlsafe(32)
        now = utcnow()
        self.db.execute(
            delete(AuthSession).where(
                AuthSession.user_id == user_id,
                or_(AuthSession.last_seen_at < now - self.policy.idle_timeout,
                    AuthSession.created_at < now - self.policy.max_age),
            )
        )
        self.db.add(
            AuthSession(
                id=token_digest(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                ip=self.request.client_addr,
                user_agent=(self.request.user_agent or "")[:255],
            )
        )
        session[AUTH_KEY] = token
        new_csrf_token(self.request)

    def end_session(self) -> None:
        token = self.request.session.get(AUTH_KEY)
        if token:
            self.db.execute(delete(AuthSession).where(AuthSession.id == token_digest(token)))
        lang = self.request.session.get(SESSION_LANG_KEY)
        self.request.session.invalidate()
        if lang:
            self.request.session[SESSION_LANG_KEY] = lang

    def end_all_sessions(self, user_id: int, *, keep_current: bool = False) -> None:
        """Log a user out everywhere (blocked, or password changed)."""
        stmt = delete(AuthSession).where(AuthSession.user_id == user_id)
        token = self.request.session.get(AUTH_KEY) if self.request is not None else None
        if keep_current and token:
            stmt = stmt.where(AuthSession.id != token_digest(token))
        self.db.execute(stmt)

    # --- identity ------------------------------------------------------------
    def identity(self) -> Identity | None:
        """The logged-in user of this request, or None (``session_identity``)."""
        return session_identity(self.db, self.policy, self.request.session)


def session_identity(db, policy: LoginPolicy, session) -> Identity | None:
    """The user logged in with the cookie session ``session``, or None: one statement reads the
    login session, the user and everything the principals are made of."""
    token = session.get(AUTH_KEY)
    if not token or not isinstance(token, str):
        return None
    digest = token_digest(token)
    row = db.execute(IDENTITY_QUERY, {"digest": digest}).first()
    if row is None:
        return None
    user, created_at, last_seen_at, *grants = row
    now = utcnow()
    if (user.state != UserState.active or last_seen_at < now - policy.idle_timeout
            or created_at < now - policy.max_age):
        return None
    if now - last_seen_at > LAST_SEEN_RESOLUTION:
        db.execute(update(AuthSession).where(AuthSession.id == digest).values(last_seen_at=now))
    return identity_of(user, digest, *grants)


def request_identity(request) -> Identity | None:
    """``session_identity`` of ``request`` (interfaces.SESSION_IDENTITY)."""
    return session_identity(request.dbsession, request.registry["login_policy"], request.session)


def _ids(column):
    """The values of ``column`` in one comma-separated string (NULL when there are none)."""
    return comma_list(cast(column, String))


def grant_columns(user_id):
    """What a user's principals are made of, as four correlated subqueries, each one string:
    staff roles, parties of active memberships (with the member's role in each), managed parties,
    staff groups.

    Four subqueries in the statement that reads the user cost one round trip
    instead of four; each is an index lookup on its table's user_id.
    """
    return (
        select(_ids(UserRole.role)).where(UserRole.user_id == user_id).scalar_subquery(),
        # "<party id>:<role>" of each active membership of a party that is not blocked.
        select(comma_list(cast(Membership.party_id, String) + ":" + Membership.role))
        .join(Party, Party.id == Membership.party_id)
        .where(Membership.user_id == user_id, Membership.state == MembershipState.active,
               Party.state == PartyState.active)
        .scalar_subquery(),
        select(_ids(ManagerAssignment.party_id)).where(ManagerAssignment.user_id == user_id).scalar_subquery(),
        select(_ids(StaffGroupMember.group_id)).where(StaffGroupMember.user_id == user_id).scalar_subquery(),
    )


# Built once: building these statements cost more than the database took to run them.
IDENTITY_QUERY = (
    select(User, AuthSession.created_at, AuthSession.last_seen_at, *grant_columns(User.id))
    .join_from(AuthSession, User, User.id == AuthSession.user_id)
    .where(AuthSession.id == bindparam("digest"))
)
GRANTS_QUERY = select(*grant_columns(bindparam("user_id")))


def _split(text, kind=int) -> frozenset:
    return frozenset(kind(value) for value in text.split(",")) if text else frozenset()


def identity_of(user: User, auth_session_id: str, roles, parties, managed, groups) -> Identity:
    """The identity from the strings ``grant_columns`` gives; staff groups count for staff only."""
    roles = _split(roles, str)
    memberships = [value.split(":", 1) for value in _split(parties, str)]
    return Identity(
        user=user,
        auth_session_id=auth_session_id,
        roles=roles,
        party_ids=frozenset(int(party) for party, _role in memberships),
        managed_party_ids=_split(managed),
        group_ids=_split(groups) if roles else frozenset(),
        party_roles=frozenset((int(party), scope) for party, role in memberships for scope in member_scopes(role)),
    )


def load_identity(dbsession, user: User, auth_session_id: str = "") -> Identity:
    """Roles, active parties, managed parties and staff groups of a user, in one query."""
    grants = dbsession.execute(GRANTS_QUERY, {"user_id": user.id}).one()
    return identity_of(user, auth_session_id, *grants)


def auth_service_factory(context, request):
    return DatabaseAuthService(
        request.dbsession,
        request.find_service(IPasswordService),
        request.registry["login_policy"],
        request=request,
    )


def includeme(config):
    config.registry["login_policy"] = LoginPolicy.from_settings(config.get_settings())
    config.registry[SESSION_IDENTITY] = request_identity
    config.register_service_factory(auth_service_factory, IAuthService)
