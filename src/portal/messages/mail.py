"""E-mail for each recipient of a message: customers hear of staff messages, staff of the party's.

A ``MessagePosted`` subscriber: each user who got a receipt gets one e-mail,
through the outbox, in the transaction of the message, in their language, with
the link to the thread. Who gets none is outbox/letters.py's rule: e-mails
turned off, no address, blocked, or no longer allowed to see the party.
"""
from portal.i18n import _
from portal.identity.models import User
from portal.messages.services import MessagePosted
from portal.messages.workflow import MESSAGE
from portal.outbox.letters import Letters, letters_for, one_line
from portal.parties.models import Party
from portal.workflows.kinds import item_path

TOPIC = "message.posted"


class MessageMailer:
    """Writes the e-mails of one posted message."""

    def __init__(self, registry, letters: Letters):
        self.registry = registry
        self.letters = letters

    def thread_url(self, thread) -> str:
        # The messages container holds threads: a thread's URL is the kind's item URL with the thread's id.
        return self.letters.url(item_path(self.registry, MESSAGE.name, thread.party_id, thread.id))

    def __call__(self, event: MessagePosted):
        session, thread, message = event.session, event.thread, event.message
        readers = self.letters.readers(session, event.recipients, thread.party_id)
        if not readers:
            return
        party = session.get(Party, thread.party_id)
        author = session.get(User, message.author_id) if message.author_id else None
        for user in readers:
            subject, body = self.compose(user, thread, message, party, author)
            self.letters.send(session, user, subject, body, party_id=thread.party_id, topic=TOPIC)

    def compose(self, user, thread, message, party, author) -> tuple[str, str]:
        """The subject and text of one recipient's e-mail, in the recipient's language."""
        translate = self.letters.translator(user)
        mapping = {
            "subject": one_line(thread.subject),
            "party": one_line(party.name),
            "author": author.full_name if author is not None else "—",
            "name": user.greeting_name(self.letters.language(user)),
        }
        if message.from_staff:
            # To the party's users: the company writes; they know which of their companies it is to.
            subject = _("New message: “${subject}” (${party})", mapping=mapping)
            what = _("${author} of our staff wrote to ${party} in the conversation “${subject}”:", mapping=mapping)
        else:
            subject = _("Message from ${party}: “${subject}”", mapping=mapping)
            what = _("${author} of ${party} wrote in the conversation “${subject}”:", mapping=mapping)
        lines = [
            translate(_("Hello, ${name}.", mapping=mapping)),
            "",
            translate(what),
            "",
            message.body,
            "",
            translate(_("Read and answer it in the portal: ${url}", mapping={"url": self.thread_url(thread)})),
            "",
            "-- ",
            translate(_("You get these e-mails for the messages you receive in the portal. "
                        "You can turn them off in your account: ${url}",
                        mapping={"url": self.letters.account_url})),
        ]
        return translate(subject), "\n".join(lines) + "\n"


def includeme(config):
    config.add_subscriber(MessageMailer(config.registry, letters_for(config.registry)), MessagePosted)
