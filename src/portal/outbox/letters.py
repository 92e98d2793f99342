"""Writing notifications to users: who gets one, by which channel, in which language, with which
links, into the outbox.

Shared by every package that tells people something (workflow news in notifier.py, new messages
in messages/mail.py, account news in onboarding/), so the rules are said once: a notification of a
kind goes by the channel the person chose for it (notifications/services.py: their own choice,
else their role's default, else the kind's): e-mail to an address, SMS to a number (e-mail stands
in when this deployment sends no SMS or the person has no number), nothing for "in the portal
only" or "off". It goes only to an active user who may see the party it is about (the party's
page rule, parties/services.py), so nobody is told of what they could not open. Its words are the
kind's letter template (notifications/texts.py) in the recipient's language, and it is written in
the transaction of the change it reports.
"""
import re

from pyramid.i18n import make_localizer
from pyramid.path import AssetResolver
from sqlalchemy import select

from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES
from portal.identity.models import User, UserState
from portal.notifications.kinds import ACCOUNT, NotificationKind
from portal.notifications.models import Channel
from portal.notifications.services import chosen_channels, sms_enabled
from portal.notifications.texts import Letter, LetterTemplates
from portal.outbox.models import OutboxChannel
from portal.outbox.services import enqueue, enqueue_many
from portal.parties.services import party_viewers

CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
BASE_URL_SETTING = "portal.base_url"
DEFAULT_BASE_URL = "http://localhost:6543"
LETTERS = "portal.letters"


def one_line(text) -> str:
    """``text`` without line breaks or other control characters (it may end up in a Subject header)."""
    return CONTROL.sub(" ", text or "").strip()


class Letters:
    """The portal's letter writer: localizers per language (built once each), the letter templates,
    the portal's address, and whether SMS can be sent."""

    def __init__(self, base_url: str, translation_dirs, templates: LetterTemplates | None = None, *, sms=False):
        self.base_url = base_url.rstrip("/")
        self.translation_dirs = list(translation_dirs)
        self.templates = templates or LetterTemplates.from_settings({})
        self.sms = sms
        self._localizers = {}

    @classmethod
    def from_settings(cls, settings):
        """Letters need only the portal's own catalogs (no form-library messages)."""
        return cls(settings.get(BASE_URL_SETTING) or DEFAULT_BASE_URL,
                   [AssetResolver().resolve("portal:locale").abspath()], LetterTemplates.from_settings(settings),
                   sms=sms_enabled(settings))

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
        """Where each person chooses what reaches them how (every letter's footer names it)."""
        return self.url("/account/notifications")

    def write(self, letter: str, user, /, **values) -> Letter:
        """Letter ``letter`` (notifications/texts/) to ``user``, in their language, greeting them."""
        language = self.language(user)
        return self.templates.render(letter, self.localizer(language), name=user.greeting_name(language),
                                     settings_url=self.account_url, **values)

    def write_each(self, letter: str, readers, /) -> list[Letter]:
        """``write`` of letter ``letter`` to each of ``readers`` (pairs of a user and the letter's values for
        them), in order: rendered a language at a time, those alike at once (``LetterTemplates.render_each``)."""
        by_language = {}
        for index, (user, values) in enumerate(readers):
            language = self.language(user)
            by_language.setdefault(language, []).append(
                (index, dict(name=user.greeting_name(language), settings_url=self.account_url, **values)))
        written = [None] * len(readers)
        for language, members in by_language.items():
            rendered = self.templates.render_each(letter, self.localizer(language), [values for _n, values in members])
            for (index, _values), each in zip(members, rendered, strict=True):
                written[index] = each
        return written

    def channel(self, user, chosen) -> OutboxChannel | None:
        """The outbox channel a notification ``user`` chose ``chosen`` for goes by, or None."""
        if chosen == Channel.sms and self.sms and user.phone:
            return OutboxChannel.sms
        if chosen in (Channel.email, Channel.sms) and user.email:
            return OutboxChannel.email
        return None

    def readers(self, session, user_ids, party_id, kind: NotificationKind) -> list[tuple[User, OutboxChannel]]:
        """Those of ``user_ids`` who get a notification of ``kind`` about ``party_id``, each with its
        channel (the module's rules), by id."""
        if not user_ids:
            return []
        users = session.scalars(select(User).where(
            User.id.in_(sorted(user_ids)), User.id.in_(party_viewers([party_id])),
        ).order_by(User.id)).all()
        chosen = chosen_channels(session, [user.id for user in users], kind)
        channels = ((user, self.channel(user, chosen[user.id])) for user in users)
        return [(user, channel) for user, channel in channels if channel is not None]

    def account_channel(self, session, user) -> OutboxChannel | None:
        """How news of ``user``'s own account (a registration decided) reaches them: as they chose,
        whether or not they may log in yet; never to a blocked user."""
        if user.state == UserState.blocked:
            return None
        return self.channel(user, chosen_channels(session, [user.id], ACCOUNT)[user.id])

    @staticmethod
    def send(session, user, subject, body, *, party_id, topic):
        """One pending e-mail to ``user``, in the caller's transaction (a link only the address's owner
        may follow: it goes by e-mail whatever the person chose)."""
        return enqueue(session, recipient=user.email, subject=one_line(subject), body=body, user_id=user.id,
                       party_id=party_id, topic=topic)

    @staticmethod
    def message(user, channel: OutboxChannel, letter: Letter, *, party_id, topic) -> dict:
        """``enqueue``'s keywords for ``letter`` to ``user`` by ``channel``: an SMS of its SMS text to their
        number, else an e-mail to their address."""
        if channel == OutboxChannel.sms:
            return {"channel": channel, "recipient": user.phone, "subject": one_line(letter.subject),
                    "body": letter.sms, "user_id": user.id, "party_id": party_id, "topic": topic}
        return {"recipient": user.email, "subject": one_line(letter.subject), "body": letter.body,
                "user_id": user.id, "party_id": party_id, "topic": topic}

    @classmethod
    def deliver(cls, session, user, channel: OutboxChannel, letter: Letter, *, party_id, topic):
        """One pending e-mail or SMS of ``letter`` to ``user``, in the caller's transaction."""
        return enqueue(session, **cls.message(user, channel, letter, party_id=party_id, topic=topic))

    @staticmethod
    def deliver_all(session, messages) -> int:
        """The pending e-mails and SMS of ``messages`` (``message``'s each) in one statement, in the
        caller's transaction; how many."""
        return enqueue_many(session, messages)


def letters_for(registry) -> Letters:
    """The application's one ``Letters`` (made from the settings on first use)."""
    letters = registry.get(LETTERS)
    if letters is None:
        letters = registry[LETTERS] = Letters.from_settings(registry.settings or {})
    return letters
