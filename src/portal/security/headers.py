"""Security headers on every response; HSTS too where ``portal.hsts`` is on (production.ini)."""
from pyramid.settings import asbool

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


HSTS_MAX_AGE = 365 * 24 * 3600


def headers_from_settings(settings) -> dict:
    """HEADERS, plus Strict-Transport-Security when ``portal.hsts`` is true: only a site served over
    HTTPS may send it (browsers then refuse plain HTTP to it for ``portal.hsts.max_age`` seconds)."""
    headers = dict(HEADERS)
    if asbool(settings.get("portal.hsts", False)):
        max_age = int(settings.get("portal.hsts.max_age", HSTS_MAX_AGE))
        headers["Strict-Transport-Security"] = f"max-age={max_age}; includeSubDomains"
    return headers


def security_headers_tween_factory(handler, registry):
    headers = headers_from_settings(registry.settings)

    def security_headers_tween(request):
        response = handler(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if not request.environ.get("PATH_INFO", "").startswith("/static/"):
            # Portal pages show one customer's data: no cache may keep them.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return security_headers_tween
