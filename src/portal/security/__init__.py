"""Security: session cookie, CSRF, the security policy and response headers."""
import os

from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.exceptions import ConfigurationError
from pyramid.session import SignedCookieSessionFactory
from pyramid.settings import asbool

from portal.security.policy import PortalSecurityPolicy

INSECURE_SECRETS = {"", "change-me"}


def session_secret(settings) -> str:
    secret = os.environ.get("PORTAL_SESSION_SECRET") or settings.get("portal.session.secret", "")
    if secret in INSECURE_SECRETS or len(secret) < 32:
        raise ConfigurationError(
            "Set portal.session.secret (or PORTAL_SESSION_SECRET) to a random "
            "string of at least 32 characters."
        )
    return secret


def includeme(config):
    settings = config.get_settings()
    factory = SignedCookieSessionFactory(
        session_secret(settings),
        cookie_name="portal_session",
        httponly=True,
        samesite="Lax",
        secure=asbool(settings.get("portal.session.secure", False)),
        timeout=int(settings.get("portal.session.timeout", 8 * 3600)),
        reissue_time=300,
    )
    config.set_session_factory(factory)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.set_security_policy(PortalSecurityPolicy())
    config.add_tween("portal.security.headers.security_headers_tween_factory")
    config.include(".limits")  # before .encoding: refuse an oversized body before anything reads it
    config.include(".encoding")
