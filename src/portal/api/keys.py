"""Making, finding and revoking API keys; the identity a bearer token stands for."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from zope.interface import implementer

from portal.api.interfaces import IApiKeyService
from portal.api.models import ApiKey, ApiScope
from portal.db.meta import utcnow
from portal.security.principals import ApiKeyIdentity

PREFIX_LENGTH = 8
# last_used_at is written at most this often per key: a busy integration should not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """SHA-256 of the token (see ApiKey for why a fast hash is right for a 256-bit random token)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_key(db, name: str, scope: str = ApiScope.read.value, *, created_by_id=None) -> tuple[ApiKey, str]:
    """A new key and its token; the token is returned this once and never stored."""
    if scope not in {s.value for s in ApiScope}:
        raise ValueError(f"unknown scope {scope!r}")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValueError("a key's name has 1 to 100 characters")
    token = "pk_" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, scope=scope, key_hash=hash_token(token), prefix=token[:PREFIX_LENGTH],
                 created_by_id=created_by_id)
    db.add(key)
    db.flush()
    return key, token


def revoke_api_key(key: ApiKey) -> bool:
    """Revoke a key at once; False when it already was."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    return True


def find_active_key(db, token: str) -> ApiKey | None:
    """The unrevoked key of a token, or None (a wrong and a revoked token look alike)."""
    if not token:
        return None
    key = db.scalars(select(ApiKey).where(ApiKey.key_hash == hash_token(token))).first()
    if key is None or key.revoked_at is not None:
        return None
    return key


def bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@implementer(IApiKeyService)
class DatabaseApiKeyService:
    """Identity of an API request from its bearer token only (never a cookie)."""

    def __init__(self, request):
        self.request = request

    def identity(self):
        key = find_active_key(self.request.dbsession, bearer_token(self.request))
        if key is None:
            return None
        now = utcnow()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            key.last_used_at = now
        return ApiKeyIdentity(key_id=key.id, name=key.name, scope=key.scope)


def api_key_service_factory(context, request):
    return DatabaseApiKeyService(request)
