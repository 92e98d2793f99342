"""Writing e-mails to users: who gets one, in which language, with which links, into the outbox.

Shared by every package that tells people something by e-mail (workflow news in
notifier.py, new messages in messages/mail.py), so the rules are said once: an
e-mail goes only to an active user with an address, who has not turned e-mails
off on the account page and who may see the party it is about (the party's page
rule, parties/services.py), so nobody is told of what they could not open. It is
written in the recipient's language, in the transaction of the change it reports.
"""
import re

from pyramid.i18n import make_localizer
from pyramid.path import AssetResolver
from sqlalchemy import select

from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES
from portal.identity.models import User
from portal.outbox.services import enqueue
from portal.parties.services import party_viewers

CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
BASE_URL_SETTING = "portal.base_url"
DEFAULT_BASE_URL = "http://localhost:6543"
LETTERS = "portal.letters"


def one_line(text) -> str:
    """``text`` without line breaks or other control characters (it may end up in a Subject header)."""
    return CONTROL.sub(" ", text or "").strip()


class Letters:
    """The portal's e-mail writer: localizers per language (built once each) and the portal's address."""

    def __init__(self, base_url: str, translation_dirs):
        self.base_url = base_url.rstrip("/")
        self.translation_dirs = list(translation_dirs)
        self._localizers = {}

    @classmethod
    def from_settings(cls, settings):
        """E-mails need only the portal's own catalogs (no form-library messages)."""
        return cls(settings.get(BASE_URL_SETTING) or DEFAULT_BASE_URL,
                   [AssetResolver().resolve("portal:locale").abspath()])

    @staticmethod
    def language(user) -> str:
        """The language a letter to ``user`` is written in."""
        return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE

    def localizer(self, language):
        language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        if language not in self._localizers:
            self._localizers[language] = make_localizer(language, self.translation_dirs)
        return self._localizers[language]

    def translator(self, user):
        """The ``translate`` of ``user``'s language."""
        return self.localizer(self.language(user)).translate

    def url(self, path: str) -> str:
        """An absolute link into the portal for a path such as ``/p/4/messages/7/``."""
        return self.base_url + path

    @property
    def account_url(self) -> str:
        """Where the e-mail switch is (every letter's footer names it)."""
        return self.url("/account/")

    def readers(self, session, user_ids, party_id) -> list[User]:
        """Those of ``user_ids`` who get an e-mail about ``party_id`` (the module's rules), by id."""
        if not user_ids:
            return []
        return session.scalars(select(User).where(
            User.id.in_(sorted(user_ids)), User.email_notifications.is_(True),
            User.email.is_not(None), User.email != "", User.id.in_(party_viewers([party_id])),
        ).order_by(User.id)).all()

    @staticmethod
    def send(session, user, subject, body, *, party_id, topic):
        """One pending e-mail to ``user``, in the caller's transaction."""
        return enqueue(session, recipient=user.email, subject=one_line(subject), body=body, user_id=user.id,
                       party_id=party_id, topic=topic)


def letters_for(registry) -> Letters:
    """The application's one ``Letters`` (made from the settings on first use)."""
    letters = registry.get(LETTERS)
    if letters is None:
        letters = registry[LETTERS] = Letters.from_settings(registry.settings or {})
    return letters
