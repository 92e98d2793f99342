"""Issuing, checking and using one-time form tokens; pruning the used ones.

A token is ``<issued>.<nonce>.<signature>``: the signature (HMAC of the
session secret) binds the form, the user and the time of issue to a random
nonce, so issuing one writes nothing, and a token that was not issued, was
issued to another user or for another form, or is older than
``portal.forms.token_hours`` (default 24) is refused. Using one writes its nonce
(the key of ``form_tokens``) in the transaction that files the item:
``INSERT … ON CONFLICT DO NOTHING``, so a second POST of the same form waits on
PostgreSQL for the first one's commit and then finds the token used, with no
error to recover from. A used token older than the lifetime would be refused
as expired anyway, so its row may go (``prune_used``, run by ``portal-jobs``).
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from zope.interface import Interface, implementer

from portal.db.meta import utcnow
from portal.formtokens.models import UsedFormToken
from portal.i18n import _
from portal.security import session_secret

HOURS_SETTING = "portal.forms.token_hours"
DEFAULT_HOURS = 24
CLOCK_SKEW = timedelta(minutes=5)  # a token "issued" later than this from now was not issued here
# The statement that records a nonce unless it is recorded already, per database.
INSERT_IF_NEW = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class TokenRefused(Exception):
    """A token this form cannot be taken with; ``message`` tells the user what to do."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


NOT_ISSUED = _("This form cannot be accepted: it was not opened by you here, or it was altered. "
               "Check it and send it again.")


@dataclass(frozen=True)
class TokenPolicy:
    """The key tokens are signed with and how long one may be used after it was issued."""

    key: bytes
    lifetime: timedelta = timedelta(hours=DEFAULT_HOURS)

    @classmethod
    def from_settings(cls, settings):
        # Derived from the session secret, so a token's signature can never pass for a session's.
        key = hmac.new(session_secret(settings).encode(), b"portal one-time form tokens", hashlib.sha256).digest()
        return cls(key=key, lifetime=timedelta(hours=int(settings.get(HOURS_SETTING, DEFAULT_HOURS))))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class IFormTokenService(Interface):
    """Issues one user's form tokens, checks them and records their use."""


@implementer(IFormTokenService)
class FormTokenService:
    """Issues one user's form tokens, checks them and records their use."""

    def __init__(self, dbsession, policy: TokenPolicy, user_id, clock=utcnow):
        self.db = dbsession
        self.policy = policy
        self.user_id = user_id
        self.clock = clock

    def _signature(self, form, issued, nonce) -> str:
        payload = f"{form}:{self.user_id}:{issued}:{nonce}".encode()
        return _b64(hmac.new(self.policy.key, payload, hashlib.sha256).digest())

    def issue(self, form: str) -> str:
        """A new token for one rendering of ``form`` by this user."""
        issued = int(self.clock().timestamp())
        nonce = secrets.token_urlsafe(18)
        return f"{issued}.{nonce}.{self._signature(form, issued, nonce)}"

    def verify(self, form: str, token) -> str:
        """The nonce of ``token`` when this user may send ``form`` with it; raises TokenRefused."""
        parts = token.split(".") if isinstance(token, str) else ()
        if self.user_id is None or len(parts) != 3 or not parts[0].isdigit():
            raise TokenRefused(NOT_ISSUED)
        issued, nonce, signature = int(parts[0]), parts[1], parts[2]
        if not hmac.compare_digest(signature, self._signature(form, issued, nonce)):
            raise TokenRefused(NOT_ISSUED)
        age = self.clock() - datetime.fromtimestamp(issued, self.clock().tzinfo)
        if age < -CLOCK_SKEW:
            raise TokenRefused(NOT_ISSUED)
        if age > self.policy.lifetime:
            raise TokenRefused(_("This form was opened more than ${hours} hours ago and has expired. "
                                 "Check it and send it again.",
                                 mapping={"hours": int(self.policy.lifetime.total_seconds() // 3600)}))
        return nonce

    def used(self, nonce) -> UsedFormToken | None:
        """The record of the token when it has filed something already (as committed now)."""
        return self.db.scalars(
            select(UsedFormToken).where(UsedFormToken.nonce == nonce, UsedFormToken.user_id == self.user_id)
            .execution_options(populate_existing=True)
        ).first()

    def claim(self, nonce, form) -> UsedFormToken | None:
        """Record the token as used by this transaction and return None; or, when another
        transaction used it first (this one waits for its commit), that one's record."""
        dialect = self.db.get_bind().dialect.name
        statement = INSERT_IF_NEW[dialect](UsedFormToken) if dialect in INSERT_IF_NEW else insert(UsedFormToken)
        statement = statement.values(nonce=nonce, user_id=self.user_id, form=form, used_at=self.clock())
        if dialect in INSERT_IF_NEW:
            statement = statement.on_conflict_do_nothing(index_elements=["nonce"])
        # RETURNING says whether the row went in (an ORM session's rowcount does not, on psycopg).
        if self.db.execute(statement.returning(UsedFormToken.nonce)).scalar() is not None:
            return None
        return self.used(nonce)

    def record(self, nonce, location: str) -> None:
        """Where the filing led (the page of the item it filed), for a repeated POST to land on."""
        self.db.execute(update(UsedFormToken).where(UsedFormToken.nonce == nonce)
                        .values(location=location[:1000]).execution_options(synchronize_session=False))


def prune_used(session, lifetime: timedelta, now=None) -> int:
    """Delete the used tokens older than ``lifetime`` (they would be refused as expired); how many."""
    cutoff = (now or utcnow()) - lifetime
    result = session.execute(delete(UsedFormToken).where(UsedFormToken.used_at < cutoff)
                             .execution_options(synchronize_session=False))
    return result.rowcount


def form_token_service_factory(context, request):
    return FormTokenService(request.dbsession, request.registry["form_token_policy"],
                            request.authenticated_userid)


def includeme(config):
    config.registry["form_token_policy"] = TokenPolicy.from_settings(config.get_settings())
    config.register_service_factory(form_token_service_factory, IFormTokenService)
