"""Refuse a request body larger than any form of the portal needs, before anything reads it.

The largest form carries one upload (``portal.uploads.max_bytes``) and a few
fields, so the limit (``portal.max_request_bytes``) is by default that plus
DEFAULT_FORM_OVERHEAD. It is checked on the declared Content-Length before
pyramid_retry copies the body (to replay it on a retry: ``retry.activate_hook``
is asked first), and such a request goes on with an empty body, to be answered
413 with our error page as it comes in. A chunked body declares no length:
waitress's ``max_request_body_size`` (set alike in the .ini files) and the proxy
in front bound that one.
"""
import io

from pyramid.events import NewRequest
from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

SETTING = "portal.max_request_bytes"
UPLOAD_SETTING = "portal.uploads.max_bytes"
DEFAULT_UPLOAD_BYTES = 10 * 1024 * 1024
DEFAULT_FORM_OVERHEAD = 1024 * 1024  # the form's other fields and the multipart framing
REGISTRY_KEY = "portal.max_request_bytes"
REFUSED = "portal.refused_body"  # the environ key: why the body was dropped unread


def max_request_bytes(settings) -> int:
    """The largest request body accepted: the setting, else the upload limit plus the form's overhead."""
    if settings.get(SETTING):
        return int(settings[SETTING])
    return int(settings.get(UPLOAD_SETTING, DEFAULT_UPLOAD_BYTES)) + DEFAULT_FORM_OVERHEAD


def refusal(environ, limit) -> str | None:
    """'too-large' or 'bad-length' when the declared body must not be read, else None."""
    declared = environ.get("CONTENT_LENGTH")
    if not declared:
        return None
    try:
        length = int(declared)
    except ValueError:
        return "bad-length"
    return "too-large" if length > limit else None


def retry_attempts(request):
    """pyramid_retry's ``retry.activate_hook``, asked before it copies the body: a body that will be
    refused is dropped unread (one attempt, nothing to copy); otherwise the configured attempts."""
    environ = request.environ
    why = refusal(environ, request.registry[REGISTRY_KEY])
    if why is None:
        return None
    environ[REFUSED] = why
    environ["CONTENT_LENGTH"] = "0"
    environ["wsgi.input"] = io.BytesIO()
    return 1


def refuse_oversized_body(event):
    """As the request comes in (before the form-encoding check, which reads the body)."""
    environ = event.request.environ
    why = environ.get(REFUSED) or refusal(environ, event.request.registry[REGISTRY_KEY])
    if why == "too-large":
        raise HTTPRequestEntityTooLarge()
    if why == "bad-length":
        raise HTTPBadRequest()


def includeme(config):
    settings = config.get_settings()
    config.registry[REGISTRY_KEY] = max_request_bytes(settings)
    # Read by pyramid_retry when the configuration is committed (a deployment may name its own).
    settings.setdefault("retry.activate_hook", "portal.security.limits.retry_attempts")
    config.add_subscriber(refuse_oversized_body, NewRequest)
