"""E-mail notices: the in-app notice's recipients also get an e-mail, through the outbox.

The e-mail is written (and translated into the recipient's language) in the
transaction of the move itself, so it reports exactly what was committed; the
worker only delivers it. A user without an address, blocked, who may not see
the item's party (no longer a member, a manager of other parties), or who
turned e-mail notices off gets none. A move that brings staff new work (the
kind's ``watchers``: a request filed, a critical ticket, a change request
submitted) reads as news of it ("New request #12 … from …"), not as a move.
"""
from portal.formats import format_datetime
from portal.i18n import _
from portal.identity.models import User
from portal.outbox.letters import Letters, letters_for, one_line
from portal.parties.models import Party
from portal.workflows.engine import TransitionApplied
from portal.workflows.kinds import item_path, work_kind
from portal.workflows.notices import recipients, watchers
from portal.workflows.priorities import priority_label


class EmailNotifier:
    """A ``TransitionApplied`` subscriber that writes one outbox row per recipient."""

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
        # An e-mail shows what the item page shows, so it goes to no one who could not open that
        # page: the recipients are asked the page's rule (parties/services.py), here once more in
        # the statement that reads them (letters.py).
        users = self.letters.readers(session, user_ids, event.item.party_id)
        if not users:
            return
        actor = session.get(User, event.actor_id) if event.actor_id else None
        compose = self.compose_news if watchers(self.registry, event) is not None else self.compose
        for user in users:
            subject, body = compose(event, user, actor)
            self.letters.send(session, user, subject, body, party_id=event.item.party_id,
                              topic=f"{event.workflow.name}.{event.transition}")

    def compose(self, event, user, actor) -> tuple[str, str]:
        """The subject and text of one recipient's e-mail, in the recipient's language."""
        translate = self.letters.translator(user)
        item = event.item
        mapping = {
            "kind": translate(event.workflow.title),
            "id": str(item.id),
            # One line: the item's subject ends up in the e-mail's Subject header.
            "subject": one_line(getattr(item, "subject", "")),
            "state": translate(event.workflow.states[event.to_state].title),
            "name": user.greeting_name(self.letters.language(user)),
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
                        mapping={"url": self.letters.account_url})),
        ]
        return subject, "\n".join(lines) + "\n"

    def compose_news(self, event, user, actor) -> tuple[str, str]:
        """The e-mail of new work, in the recipient's language: what came in from which party (the
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
        lines = [translate(_("Hello, ${name}.", mapping={"name": user.greeting_name(language)})), "",
                 headline + "."]
        if getattr(item, "priority", None):
            lines.append(translate(_("Priority: ${priority}",
                                     mapping={"priority": translate(priority_label(item.priority))})))
        if getattr(item, "due_at", None) is not None:
            due = format_datetime(item.due_at, self.registry["portal_tz"], language, "short")
            lines.append(translate(_("Due: ${due}", mapping={"due": due})))
        if actor:
            lines.append(translate(_("Sent by: ${actor}", mapping={"actor": actor.full_name})))
        if event.comment:
            lines += ["", translate(_("Comment:")), event.comment]
        lines += [
            "",
            translate(_("Open it in the portal: ${url}", mapping={"url": self.item_url(event)})),
            "",
            "-- ",
            translate(_("You get these e-mails because new work comes to you or your team. "
                        "You can turn them off in your account: ${url}",
                        mapping={"url": self.letters.account_url})),
        ]
        return headline, "\n".join(lines) + "\n"


def includeme(config):
    config.add_subscriber(EmailNotifier.from_settings(config.registry, config.get_settings()), TransitionApplied)
