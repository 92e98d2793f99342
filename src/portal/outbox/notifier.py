"""E-mail notices: the in-app notice's recipients also get an e-mail, through the outbox.

The e-mail is written (and translated into the recipient's language) in the
transaction of the move itself, so it reports exactly what was committed; the
worker only delivers it. A user without an address, blocked, who may not see
the item's party (no longer a member, a manager of other parties), or who
turned e-mail notices off gets none.
"""
import re

from pyramid.i18n import make_localizer
from pyramid.path import AssetResolver
from sqlalchemy import select

from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, _
from portal.identity.models import User
from portal.outbox.services import enqueue
from portal.parties.services import party_viewers
from portal.workflows.engine import TransitionApplied
from portal.workflows.kinds import item_path
from portal.workflows.notices import recipients

CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
BASE_URL_SETTING = "portal.base_url"
DEFAULT_BASE_URL = "http://localhost:6543"


class EmailNotifier:
    """A ``TransitionApplied`` subscriber that writes one outbox row per recipient."""

    def __init__(self, registry, base_url: str, translation_dirs):
        self.registry = registry
        self.base_url = base_url.rstrip("/")
        self.translation_dirs = list(translation_dirs)
        self._localizers = {}

    @classmethod
    def from_settings(cls, registry, settings):
        """E-mails need only the portal's own catalogs (no form-library messages)."""
        return cls(registry, settings.get(BASE_URL_SETTING) or DEFAULT_BASE_URL,
                   [AssetResolver().resolve("portal:locale").abspath()])

    def localizer(self, language):
        language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        if language not in self._localizers:
            self._localizers[language] = make_localizer(language, self.translation_dirs)
        return self._localizers[language]

    def item_url(self, event) -> str:
        return self.base_url + item_path(self.registry, event.workflow.name, event.item.party_id, event.item.id)

    def __call__(self, event: TransitionApplied):
        user_ids = recipients(self.registry, event)
        if not user_ids:
            return
        session = event.context.session
        # An e-mail shows what the item page shows, so it goes to no one who could not open that
        # page: the recipients are asked the page's rule (parties/services.py), here once more in
        # the statement that reads them.
        users = session.scalars(select(User).where(
            User.id.in_(user_ids), User.email_notifications.is_(True),
            User.email.is_not(None), User.email != "", User.id.in_(party_viewers([event.item.party_id])),
        ).order_by(User.id)).all()
        if not users:
            return
        actor = session.get(User, event.actor_id) if event.actor_id else None
        for user in users:
            subject, body = self.compose(event, user, actor)
            enqueue(session, recipient=user.email, subject=subject, body=body, user_id=user.id,
                    party_id=event.item.party_id, topic=f"{event.workflow.name}.{event.transition}")

    def compose(self, event, user, actor) -> tuple[str, str]:
        """The subject and text of one recipient's e-mail, in the recipient's language."""
        translate = self.localizer(user.language).translate
        item = event.item
        mapping = {
            "kind": translate(event.workflow.title),
            "id": str(item.id),
            # One line: the item's subject ends up in the e-mail's Subject header.
            "subject": CONTROL.sub(" ", getattr(item, "subject", "") or "").strip(),
            "state": translate(event.workflow.states[event.to_state].title),
            "name": user.greeting_name(user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE),
            "actor": actor.full_name if actor else "",
        }
        subject = translate(_("${kind} #${id} “${subject}”: ${state}", mapping=mapping))
        if actor:
            what = _("${actor} moved ${kind} #${id} “${subject}” to the state “${state}”.", mapping=mapping)
        else:
            what = _("${kind} #${id} “${subject}” moved to the state “${state}”.", mapping=mapping)
        lines = [translate(_("Hello, ${name}.", mapping=mapping)), "", translate(what)]
        if event.comment:
            lines += ["", translate(_("Comment:")), event.comment]
        lines += [
            "",
            translate(_("Open it in the portal: ${url}", mapping={"url": self.item_url(event)})),
            "",
            "-- ",
            translate(_("You get these e-mails because the item is yours or assigned to you. "
                        "You can turn them off in your account: ${url}",
                        mapping={"url": f"{self.base_url}/account/"})),
        ]
        return subject, "\n".join(lines) + "\n"


def includeme(config):
    config.add_subscriber(EmailNotifier.from_settings(config.registry, config.get_settings()), TransitionApplied)
