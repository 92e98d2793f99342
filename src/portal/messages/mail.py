"""E-mail or SMS for each recipient of a message: customers hear of staff messages, staff of the party's.

A ``MessagePosted`` subscriber: each user who got a receipt gets one letter
(``message``), through the outbox, in the transaction of the message, in their
language, with the link to the thread. Who gets one, and by which channel, is
outbox/letters.py's rule for the kind ``messages``: "in the portal only", no
address, blocked, or no longer allowed to see the party means none.
"""
from portal.identity.models import User
from portal.messages.services import MessagePosted
from portal.messages.workflow import MESSAGE
from portal.notifications.kinds import MESSAGES
from portal.outbox.letters import Letters, letters_for, one_line
from portal.parties.models import Party
from portal.workflows.kinds import item_path

TOPIC = "message.posted"


class MessageMailer:
    """Writes the letters of one posted message."""

    def __init__(self, registry, letters: Letters):
        self.registry = registry
        self.letters = letters

    def thread_url(self, thread) -> str:
        # The messages container holds threads: a thread's URL is the kind's item URL with the thread's id.
        return self.letters.url(item_path(self.registry, MESSAGE.name, thread.party_id, thread.id))

    def __call__(self, event: MessagePosted):
        session, thread, message = event.session, event.thread, event.message
        readers = self.letters.readers(session, event.recipients, thread.party_id, MESSAGES)
        if not readers:
            return
        party = session.get(Party, thread.party_id)
        author = session.get(User, message.author_id) if message.author_id else None
        for user, channel in readers:
            self.letters.deliver(session, user, channel, self.compose(user, thread, message, party, author),
                              party_id=thread.party_id, topic=TOPIC)

    def compose(self, user, thread, message, party, author):
        """The letter of one recipient, in the recipient's language (the company writes to the party's
        users: they know which of their companies it is to)."""
        return self.letters.write(
            "message", user, from_staff=bool(message.from_staff), subject=one_line(thread.subject),
            party=one_line(party.name), author=author.full_name if author is not None else "—",
            text=message.body, url=self.thread_url(thread))


def includeme(config):
    config.add_subscriber(MessageMailer(config.registry, letters_for(config.registry)), MessagePosted)
