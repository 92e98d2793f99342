"""In-app notices: the author and the assignee hear of every move someone else makes, and the staff
who watch a kind (its ``watchers``) of the moves that bring them new work; nobody who turned the
notification kind of the move (``work`` or ``news``) off."""
from sqlalchemy import Select, or_, select, update

from portal.db.meta import utcnow
from portal.identity.models import User
from portal.notifications.kinds import NEWS, WORK
from portal.notifications.models import Channel
from portal.notifications.services import chosen_channels
from portal.parties.services import party_viewers
from portal.workflows.engine import TransitionApplied
from portal.workflows.kinds import work_kinds
from portal.workflows.models import Notice


def watchers(registry, event: TransitionApplied):
    """The SQL condition on ``User.id`` naming the staff this move brings new work (the kind's
    ``watchers`` hook: a request filed, a critical ticket, a change request submitted), or None
    when it brings none."""
    kind = work_kinds(registry).get(event.workflow.name)
    if kind is None or not kind.notices or kind.watchers is None:
        return None
    return kind.watchers(event)


def notification_kind(registry, event: TransitionApplied):
    """The notification kind of a move: news of new work when it brings some, else a move of one's item."""
    return NEWS if watchers(registry, event) is not None else WORK


def recipients(registry, event: TransitionApplied) -> list[int]:
    """Who hears of a move: the item's author and assignee, and the staff watching for new work when
    the move brings some; never the one who made it, and only while they may see the item's party
    (parties/services.py: the rule its page applies). Nobody for a kind registered without notices
    (messages have their own unread counters and receipts)."""
    kind = work_kinds(registry).get(event.workflow.name)
    if kind is None or not kind.notices:
        return []
    item = event.item
    users = {getattr(item, "author_id", None), getattr(item, "assignee_id", None)}
    users.discard(None)
    users.discard(event.actor_id)
    wanted = [User.id.in_(sorted(users))] if users else []
    watching = watchers(registry, event)
    if watching is not None:
        wanted.append(watching)
    if not wanted:
        return []
    statement = party_viewers([item.party_id]).where(or_(*wanted))
    if event.actor_id is not None:
        statement = statement.where(User.id != event.actor_id)
    return sorted(event.context.session.scalars(statement))


class NoticeWriter:
    """A ``TransitionApplied`` subscriber: one in-app notice per recipient, in the move's transaction."""

    def __init__(self, registry):
        self.registry = registry

    def __call__(self, event: TransitionApplied):
        item, session = event.item, event.context.session
        user_ids = recipients(self.registry, event)
        channels = chosen_channels(session, user_ids, notification_kind(self.registry, event))
        for user_id in user_ids:
            if channels[user_id] == Channel.off:
                continue
            session.add(Notice(
                user_id=user_id, party_id=item.party_id, workflow=event.workflow.name, item_id=item.id,
                transition=event.transition, to_state=event.to_state, actor_id=event.actor_id,
            ))


def unread_notices(user_id) -> Select:
    """The notices ``user_id`` has not read (found by the index on user_id, read_at)."""
    return select(Notice.id).where(Notice.user_id == user_id, Notice.read_at.is_(None))


def mark_read(session, user_id, notice_ids=None, *, workflow=None, item_id=None) -> None:
    """Stamp ``user_id``'s unread notices read: all, those of ``notice_ids``, or those of one item
    (``workflow`` and ``item_id``: its page was opened)."""
    stmt = update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
    if notice_ids is not None:
        stmt = stmt.where(Notice.id.in_(notice_ids))
    if workflow is not None:
        stmt = stmt.where(Notice.workflow == workflow, Notice.item_id == item_id)
    session.execute(stmt.values(read_at=utcnow()))


def includeme(config):
    config.add_subscriber(NoticeWriter(config.registry), TransitionApplied)
