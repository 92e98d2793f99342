"""The signature of a webhook POST: ``X-Portal-Signature: t=<unix time>,v1=<hex>``, where the hex is
HMAC-SHA256 with the webhook's secret over ``f"{t}.{body}"`` (the body's bytes as sent).

A receiver recomputes it with its copy of the secret, compares in constant
time, and refuses a ``t`` further than a few minutes from its clock, so a
captured request cannot be replayed later. ``verify`` is that check, for
receivers written in Python and for the tests.
"""
import hashlib
import hmac
import secrets

HEADER = "X-Portal-Signature"
SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A webhook's secret: 256 random bits."""
    return SECRET_PREFIX + secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of ``X-Portal-Signature`` for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` seconds of ``now``."""
    fields = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    timestamp = fields.get("t", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(fields.get("v1", ""), signature(secret, int(timestamp), body))
