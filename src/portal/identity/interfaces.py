"""Interfaces of the identity services views look up with ``request.find_service``."""
from zope.interface import Interface

# The registry's function ``(request) -> Identity | None`` reading a request's login session, the one
# ``IAuthService.identity`` uses (identity.auth registers it). The security policy calls it on every
# page without the service container: finding the service cost more than the identity's query.
SESSION_IDENTITY = "portal.session_identity"


class IAuthService(Interface):
    """Logging in and out, server-side login sessions, lockouts and throttling."""

    def identity():
        """The Identity of the request's logged-in user, or None."""

    def authenticate(login, password, ip):
        """Check credentials; return a LoginResult (user or reason)."""

    def check_current_password(user, password, ip):
        """Check a logged-in user's current password; a wrong one counts as a failed login."""

    def user_for_login(login):
        """The user a normalised login, e-mail address or phone number names, or None."""

    def refusal(key, ip, user=None):
        """A LoginResult saying why an attempt limited like a login is refused now, or None."""

    def count_failure(key, ip, user=None):
        """Count an attempt as a failed login of ``key`` from ``ip``; returns the LoginResult."""

    def unlock(user):
        """Lift the lock of a user's login and forget its failures."""

    def unlock_address(ip):
        """Let a client address log in again; returns how many failures were forgotten."""

    def start_session(user_id):
        """Rotate the cookie session and open a new login session for the user."""

    def end_session():
        """Close the current login session and clear the cookie session."""


class IPasswordService(Interface):
    """Hashing, checking and strength rules of passwords."""

    def hash(password):
        """An argon2id hash of the password."""

    def verify(password_hash, password):
        """True when the password matches the hash."""

    def needs_rehash(password_hash):
        """True when the hash was made with weaker parameters than today's."""

    def strength_errors(password, login):
        """Translatable messages saying why a password is too weak (empty if fine)."""
