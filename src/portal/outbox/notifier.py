"""Workflow news: the in-app notice's recipients also get an e-mail or SMS, through the outbox.

The letter is written (and translated into the recipient's language) in the
transaction of the move itself, so it reports exactly what was committed; the
worker only delivers it. Who gets one, and by which channel, is letters.py's
rule: a user without an address, blocked, who may not see the item's party (no
longer a member, a manager of other parties), or whose choice for the kind is
"in the portal only" or "off" gets none. A move that brings staff new work (the
kind's ``watchers``: a request filed, a critical ticket, a change request
submitted) reads as news of it ("New request #12 … from …", letter ``news``,
kind ``news``), any other as a move (letter ``work``, kind ``work``).
"""
from portal.formats import format_datetime
from portal.identity.models import User
from portal.notifications.kinds import NEWS
from portal.outbox.letters import Letters, letters_for, one_line
from portal.parties.models import Party
from portal.workflows.engine import TransitionApplied
from portal.workflows.kinds import item_path, work_kind
from portal.workflows.notices import notification_kind, recipients
from portal.workflows.priorities import priority_label


class EmailNotifier:
    """A ``TransitionApplied`` subscriber that writes one outbox row per recipient who wants one."""

    def __init__(self, registry, letters: Letters):
        self.registry = registry
        self.letters = letters

    @classmethod
    def from_settings(cls, registry, settings=None):
        """The notifier writing with the application's letters (outbox/letters.py)."""
        return cls(registry, letters_for(registry))

    def item_url(self, event) -> str:
        return self.letters.url(item_path(self.registry, event.workflow.name, event.item.party_id, event.item.id))

    def __call__(self, event: TransitionApplied):
        user_ids = recipients(self.registry, event)
        if not user_ids:
            return
        session = event.context.session
        kind = notification_kind(self.registry, event)
        # A letter shows what the item page shows, so it goes to no one who could not open that
        # page: the recipients are asked the page's rule (parties/services.py), here once more in
        # the statement that reads them (letters.py), with the channel each chose for the kind.
        readers = self.letters.readers(session, user_ids, event.item.party_id, kind)
        if not readers:
            return
        actor = session.get(User, event.actor_id) if event.actor_id else None
        compose = self.compose_news if kind is NEWS else self.compose
        for user, channel in readers:
            self.letters.deliver(session, user, channel, compose(event, user, actor), party_id=event.item.party_id,
                              topic=f"{event.workflow.name}.{event.transition}")

    def compose(self, event, user, actor):
        """The letter of a move, in the recipient's language."""
        translate = self.letters.translator(user)
        item = event.item
        return self.letters.write(
            "work", user, kind=translate(event.workflow.title), id=str(item.id),
            # One line: the item's subject ends up in the e-mail's Subject header.
            subject=one_line(getattr(item, "subject", "")),
            state=translate(event.workflow.states[event.to_state].title),
            actor=actor.full_name if actor else "", comment=event.comment, url=self.item_url(event))

    def compose_news(self, event, user, actor):
        """The letter of new work, in the recipient's language: what came in from which party (the
        kind's ``news``), its priority and due time where the kind has them, who sent it, the link."""
        language = self.letters.language(user)
        translate = self.letters.translator(user)
        item = event.item
        party = event.context.session.get(Party, item.party_id)
        # One line each: the subject and the party's name end up in the e-mail's Subject header.
        headline = translate(work_kind(self.registry, event.workflow.name).news, mapping={
            "id": str(item.id), "subject": one_line(getattr(item, "subject", "")),
            "party": one_line(party.name if party else ""),
        })
        priority = getattr(item, "priority", None)
        due = getattr(item, "due_at", None)
        return self.letters.write(
            "news", user, headline=headline, priority=translate(priority_label(priority)) if priority else "",
            due=format_datetime(due, self.registry["portal_tz"], language, "short") if due is not None else "",
            actor=actor.full_name if actor else "", comment=event.comment, url=self.item_url(event))


def includeme(config):
    config.add_subscriber(EmailNotifier.from_settings(config.registry, config.get_settings()), TransitionApplied)
