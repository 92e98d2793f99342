"""Reminders of due times (``portal-jobs <ini> remind-due``): the people working an open item hear
when it falls due soon, and again once it is overdue.

For each kind of work with a due time (requests, service tickets), an open item due within the
"soon" window (``portal.reminders.due_soon_hours``, else 4 hours) is reminded at the stage
``due_soon``, one past its due time at the stage ``overdue``; each stage once per due time (the
``due_reminders`` table), so a job run every few minutes repeats nothing, and an item whose due time
moved is reminded of the new one. "Open" and "overdue" mean what the queue highlights
(workflows/due.py).

The item's assignee is reminded; an item nobody took, its handlers (the group it is routed to,
else the service role: workflows/watchers.py) — each only while they may see its party. Each gets an
in-app notice unless they turned the kind ``deadlines`` off, and the letter ``deadline`` by the
channel they chose for it (outbox/letters.py's rule).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from portal.formats import format_datetime
from portal.identity.models import User
from portal.notifications.kinds import DEADLINES
from portal.notifications.models import Channel
from portal.notifications.services import chosen_channels
from portal.outbox.letters import Letters, one_line
from portal.parties.services import party_viewers
from portal.workflows.due import DUE_SOON, OVERDUE, open_clause
from portal.workflows.kinds import item_path, work_kinds
from portal.workflows.models import DueReminder, Notice
from portal.workflows.watchers import handlers

SOON_SETTING = "portal.reminders.due_soon_hours"
DEFAULT_SOON_HOURS = 4
BATCH = 500  # items read at a time


@dataclass
class Reminded:
    """What one run did: items reminded (by stage) and notices and letters written."""

    due_soon: int = 0
    overdue: int = 0
    notices: int = 0
    letters: int = 0


def soon_hours(settings) -> float:
    return float(settings.get(SOON_SETTING) or DEFAULT_SOON_HOURS)


def stage_of(due_at: datetime, now: datetime) -> str:
    return OVERDUE if due_at < now else DUE_SOON


def due_items(session, model, workflow: str, now: datetime, soon: timedelta):
    """The open items of ``model`` due before ``now + soon`` whose current stage was not reminded for
    their current due time, by due time."""
    reminded = (select(DueReminder.item_id).where(
        DueReminder.workflow == workflow, DueReminder.item_id == model.id, DueReminder.due_at == model.due_at,
        or_(DueReminder.stage == OVERDUE, and_(DueReminder.stage == DUE_SOON, model.due_at >= now)))
        .correlate(model).exists())
    return session.scalars(select(model).where(model.due_at.is_not(None), model.due_at < now + soon,
                                               open_clause(model), ~reminded)
                           .order_by(model.due_at, model.id).limit(BATCH)).all()


def people_of(session, item) -> list[User]:
    """Who works ``item``: its assignee, else its handlers; only those who may see its party."""
    wanted = User.id == item.assignee_id if item.assignee_id else handlers(item)
    return session.scalars(party_viewers([item.party_id]).with_only_columns(User).where(wanted)
                           .order_by(User.id)).all()


class DueReminders:
    """Writes the reminders of one run, in the caller's transaction."""

    def __init__(self, registry, letters: Letters):
        self.registry = registry
        self.letters = letters

    def run(self, session, now: datetime, soon: timedelta) -> Reminded:
        done = Reminded()
        for kind in work_kinds(self.registry).values():
            if not (kind.in_queue and kind.has_due):
                continue
            while items := due_items(session, kind.model, kind.name, now, soon):
                for item in items:
                    self.remind(session, kind, item, stage_of(item.due_at, now), now, done)
                session.flush()
        return done

    def remind(self, session, kind, item, stage: str, now: datetime, done: Reminded) -> None:
        session.merge(DueReminder(workflow=kind.name, item_id=item.id, stage=stage, due_at=item.due_at, sent_at=now))
        setattr(done, stage, getattr(done, stage) + 1)
        people = people_of(session, item)
        channels = chosen_channels(session, [user.id for user in people], DEADLINES)
        for user in people:
            chosen = channels[user.id]
            if chosen == Channel.off:
                continue
            session.add(Notice(user_id=user.id, party_id=item.party_id, workflow=kind.name, item_id=item.id,
                               transition=stage, to_state=item.state))
            done.notices += 1
            channel = self.letters.channel(user, chosen)
            if channel is not None:
                self.letters.deliver(session, user, channel, self.compose(kind, item, stage, user),
                                     party_id=item.party_id, topic=f"{kind.name}.{stage}")
                done.letters += 1

    def compose(self, kind, item, stage: str, user):
        translate = self.letters.translator(user)
        language = self.letters.language(user)
        return self.letters.write(
            "deadline", user, kind=translate(kind.title), id=str(item.id), subject=one_line(item.subject),
            overdue=stage == OVERDUE, due=format_datetime(item.due_at, self.registry["portal_tz"], language, "short"),
            url=self.letters.url(item_path(self.registry, kind.name, item.party_id, item.id)))
