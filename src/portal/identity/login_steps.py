"""A login in steps: the password (or a temporary one), then the second factor when the user has
two-factor on or, as staff, must have it (the code, or setting it up), then a new password when the
one typed was temporary.

No login session exists until the last step is done, so a stolen temporary password or a password
without its code opens nothing. Between the steps the signed cookie session holds who is logging in,
since when, which steps they passed and a digest of the password they typed, for ``PENDING_MINUTES``:
a password changed meanwhile (a reset, a new temporary one) ends the half-done login.
"""
import hashlib
from datetime import datetime, timedelta, timezone

from pyramid.security import remember

from portal.audit.interfaces import IAuditService
from portal.db.meta import utcnow
from portal.identity import two_factor
from portal.identity.models import User
from portal.views.layout import safe_next

PENDING_KEY = "login.pending"
PENDING_MINUTES = 10
TWO_FACTOR, NEW_PASSWORD = "two-factor", "new-password"


def password_digest(user: User) -> str:
    """Names the user's password of the moment (a digest of its argon2 hash, never the hash itself)."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:32]


def begin(request, user: User, next_url: str | None) -> None:
    """The password was right: the login waits for its next steps."""
    request.session[PENDING_KEY] = {"user_id": user.id, "since": utcnow().timestamp(), "next": next_url,
                                    "password": password_digest(user), "passed": []}


def abandon(request) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_user(request) -> User | None:
    """The active user whose login is half done in this session, or None (none, expired, blocked, or
    the password changed since)."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    since = datetime.fromtimestamp(state.get("since", 0), timezone.utc)
    user = request.dbsession.get(User, state.get("user_id"))
    if (user is None or not user.is_active or utcnow() - since > timedelta(minutes=PENDING_MINUTES)
            or state.get("password") != password_digest(user)):
        abandon(request)
        return None
    return user


def passed(request, step: str, user: User) -> None:
    """``step`` is done; the password it may have set is the one the login goes on with."""
    state = dict(request.session[PENDING_KEY])
    state["passed"] = [*state["passed"], step]
    state["password"] = password_digest(user)
    request.session[PENDING_KEY] = state


def next_step(request, user: User) -> str | None:
    done = request.session.get(PENDING_KEY, {}).get("passed", [])
    wants_code = two_factor.is_enabled(user) or two_factor.is_required(user, request.registry.settings)
    if wants_code and TWO_FACTOR not in done:
        return TWO_FACTOR
    if user.must_change_password and NEW_PASSWORD not in done:
        return NEW_PASSWORD
    return None


def landing_url(request) -> str:
    """Staff and holding users land on the party list; a one-party customer on its home."""
    identity = request.identity
    if identity is not None and not identity.is_staff and len(identity.party_ids) == 1:
        (party_id,) = identity.party_ids
        return request.resource_url(request.root, "p", str(party_id))
    return request.resource_url(request.root, "p")


def step_url(request, step: str) -> str:
    return request.resource_url(request.root, step)


def proceed(request, user: User) -> str:
    """Where the login goes on: the next step's page, or, all done, the page asked for (the landing
    page by default) with the login session started and the login audited."""
    step = next_step(request, user)
    if step == TWO_FACTOR and not two_factor.is_enabled(user) and not two_factor.is_being_set_up(user):
        two_factor.begin_setup(user)  # staff who must have it set it up on the step's page
    if step is not None:
        return step_url(request, step)
    target = request.session.get(PENDING_KEY, {}).get("next")
    remember(request, user.id)  # a new session: the pending login is gone with the old one
    request.find_service(IAuditService).record("login.success", f"user:{user.id}", as_user=user.id)
    return safe_next(request, target, landing_url(request))
