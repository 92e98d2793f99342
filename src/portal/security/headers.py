"""Security headers on every response."""

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


def security_headers_tween_factory(handler, registry):
    def security_headers_tween(request):
        response = handler(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.environ.get("PATH_INFO", "").startswith("/static/"):
            # Portal pages show one customer's data: no cache may keep them.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return security_headers_tween
