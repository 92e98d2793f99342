"""Messages between the company and a party: threads, who receives what, delivered and read.

Which side a message comes from: a user writes for the party when they hold an
active membership of it, otherwise for the company (``from_staff``).

Who receives a message (gets a MessageReceipt, decided when it is sent):

- written by staff: every active user with an active membership of the party;
- written by the party's side: the staff who answer for that party, routed as
  requests are — its account managers (a ManagerAssignment, still holding the
  manager role), the members of the thread's staff group (``group_id``: the
  group an administrator chose to answer messages at /admin/messages/, taken
  when the thread starts), and the staff who have already written in this
  thread. Of those, only who may see the party (parties/services.py) and
  handle work (security/roles.py: service, back office, manager) receive it.
  Only when that is truly nobody — a party without a manager, no group chosen
  (or one with nobody in it who could answer) and no staff reply yet — does
  every active back-office and service user receive it, so no message goes
  unseen. Head and admin read every thread but answer none, so they are never
  recipients; neither are the author's colleagues: the conversation is between
  the party and the company.

Each recipient is also told by e-mail (mail.py): ``post_message`` emits a
``MessagePosted`` with the recipients through the workflow service's ``notify``.

The author never receives their own message, so nothing the author views can
move it. A message's state is the furthest any recipient has got:

- *delivered*: a page that shows a recipient their unread counter (see
  ``deliver_pending``) stamps ``delivered_at`` on their receipts, and each
  message still "sent" takes the ``deliver`` transition — once per message,
  by the first recipient it reached;
- *read*: a recipient opening the thread (``mark_thread_read``) stamps
  ``read_at`` (and ``delivered_at`` if still empty), and each message not yet
  "read" takes the ``read`` transition.

Both go through the workflow engine (``workflows.bulk.apply_many``: history
recorded, events sent) in a constant number of statements however many
messages are involved.
"""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, insert, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from portal.attachments.models import Attachment
from portal.db.meta import utcnow
from portal.identity.models import Role, User, UserRole, UserState
from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.messages.workflow import MESSAGE
from portal.parties.models import ManagerAssignment, Membership, MembershipState
from portal.parties.services import may_see_party, party_viewers
from portal.security.roles import HANDLER_ROLES
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.workflows.bulk import apply_many

# Staff who answer any party's messages when nobody else would; a manager answers those of their parties.
ANSWERING_ROLES = (Role.backoffice.value, Role.service.value)


# --- who receives -----------------------------------------------------------------
def party_recipients(session, party_id) -> set[int]:
    """The party's active users: they receive what staff write."""
    return set(session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.party_id == party_id, Membership.state == MembershipState.active.value,
               User.state == UserState.active.value)
    ))


def message_group_id(session) -> int | None:
    """The staff group an administrator chose to answer messages, or None."""
    return session.scalar(
        select(StaffGroup.id).where(StaffGroup.answers_messages.is_(True)).order_by(StaffGroup.id).limit(1))


def staff_recipients(session, party_id, thread_id, group_id=None) -> set[int]:
    """The staff who answer for the party in this thread (see the module docstring)."""
    managers = (
        select(ManagerAssignment.user_id)
        .join(UserRole, and_(UserRole.user_id == ManagerAssignment.user_id,
                             UserRole.role == Role.manager.value))
        .where(ManagerAssignment.party_id == party_id)
    )
    participants = (
        select(Message.author_id)
        .where(Message.thread_id == thread_id, Message.from_staff.is_(True), Message.author_id.is_not(None))
    )
    sources = [User.id.in_(managers), User.id.in_(participants)]
    if group_id is not None:
        sources.append(User.id.in_(select(StaffGroupMember.user_id).where(StaffGroupMember.group_id == group_id)))
    handlers = select(UserRole.user_id).where(UserRole.role.in_([r.value for r in HANDLER_ROLES]))
    chosen = set(session.scalars(
        party_viewers([party_id]).where(or_(*sources), User.id.in_(handlers))
    ))
    if chosen:
        return chosen
    active = User.state == UserState.active.value
    return set(session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(active, UserRole.role.in_(ANSWERING_ROLES)).distinct()
    ))


# --- writing ------------------------------------------------------------------------
class ThreadRefused(PermissionError):
    """The author may not see the party (parties/services.py): their own thread would answer 404."""


@dataclass(frozen=True)
class MessagePosted:
    """Sent through the workflow service's ``notify`` once a message and its receipts are written."""

    session: object
    thread: MessageThread
    message: Message
    recipients: tuple  # user ids, sorted


def start_thread(workflow_service, *, party_id, author_id, from_staff, subject, body):
    """A new thread on ``subject`` with its first message; returns (thread, message). Only someone
    who may see the party starts one (the rule of its page and of the MessagesSend permission):
    anyone else is refused with ThreadRefused, and nothing is written. The thread is answered by
    the staff group chosen for messages now (``message_group_id``), whatever is chosen later."""
    session = workflow_service.db
    if not may_see_party(session, author_id, party_id):
        raise ThreadRefused(f"user {author_id} may not see party {party_id}")
    now = utcnow()
    thread = MessageThread(party_id=party_id, subject=subject, created_by_id=author_id,
                           group_id=message_group_id(session), created_at=now, last_message_at=now)
    session.add(thread)
    session.flush()
    return thread, post_message(workflow_service, thread, author_id=author_id, from_staff=from_staff, body=body)


def post_message(workflow_service, thread, *, author_id, from_staff, body) -> Message:
    """Add a message to ``thread``, "sent", with an empty receipt for each recipient (who are then
    told of it: ``MessagePosted``)."""
    session = workflow_service.db
    now = utcnow()
    if from_staff:
        recipients = party_recipients(session, thread.party_id)
    else:
        recipients = staff_recipients(session, thread.party_id, thread.id, thread.group_id)
    recipients.discard(author_id)
    message = Message(thread_id=thread.id, party_id=thread.party_id, author_id=author_id,
                      from_staff=from_staff, body=body, created_at=now)
    workflow_service.create(MESSAGE, message)
    if recipients:
        session.execute(insert(MessageReceipt),
                        [{"message_id": message.id, "user_id": uid} for uid in sorted(recipients)])
    thread.last_message_at = now
    if workflow_service.notify is not None:
        workflow_service.notify(MessagePosted(session, thread, message, tuple(sorted(recipients))))
    return message


# --- unread, delivered, read ------------------------------------------------------------
def _not_by(user_id):
    return or_(Message.author_id.is_(None), Message.author_id != user_id)


def unread_of(user_id):
    """Conditions for a receipt of ``user_id`` not yet read, on someone else's message."""
    return (MessageReceipt.user_id == user_id, MessageReceipt.read_at.is_(None), _not_by(user_id))


def unread_receipts(user_id, party_ids: Select | None = None) -> Select:
    """The receipts (their ``delivered_at``) of messages someone else wrote to ``user_id`` and
    they have not read, on the parties ``party_ids`` (a select of ids) when given."""
    statement = (
        select(MessageReceipt.delivered_at)
        .join(Message, Message.id == MessageReceipt.message_id)
        .where(*unread_of(user_id))
    )
    return statement if party_ids is None else statement.where(Message.party_id.in_(party_ids))


@dataclass(frozen=True)
class Unread:
    """How many messages a user has not read, and how many of those were never shown to them."""

    messages: int
    undelivered: int


def unread_summary(session, user_id, party_ids: Select | None = None) -> Unread:
    """One COUNT query; ``party_ids`` (a select of ids) limits it to the parties the user may see."""
    receipts = unread_receipts(user_id, party_ids).subquery()
    total, undelivered = session.execute(
        select(func.count(), func.count(case((receipts.c.delivered_at.is_(None), 1))))
    ).one()
    return Unread(total, undelivered)


def deliver_pending(workflow_service, user_id, resource_of, party_ids: Select | None = None) -> int:
    """Deliver to ``user_id`` every message not yet shown to them; returns how many.

    ``resource_of(party_id)`` gives the resource the ``deliver`` permission is
    asked on. A party where the user may not see messages is skipped whole.
    """
    session = workflow_service.db
    statement = (
        select(Message).join(MessageReceipt, MessageReceipt.message_id == Message.id)
        .where(*unread_of(user_id), MessageReceipt.delivered_at.is_(None))
    )
    if party_ids is not None:
        statement = statement.where(Message.party_id.in_(party_ids))
    by_party = defaultdict(list)
    for message in session.scalars(statement):
        by_party[message.party_id].append(message)
    delivered = []
    for party_id, messages in sorted(by_party.items()):
        resource = resource_of(party_id)
        if not _permitted(workflow_service, resource, "deliver"):
            continue
        _move(workflow_service, resource, [m for m in messages if m.state == "sent"], "deliver")
        delivered.extend(m.id for m in messages)
    if delivered:
        session.execute(
            update(MessageReceipt)
            .where(MessageReceipt.user_id == user_id, MessageReceipt.message_id.in_(delivered),
                   MessageReceipt.delivered_at.is_(None))
            .values(delivered_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return len(delivered)


def mark_thread_read(workflow_service, resource, user_id) -> list[int]:
    """``user_id`` opened the thread of ``resource``: their receipts are read; returns those messages' ids."""
    session = workflow_service.db
    messages = session.scalars(
        select(Message).join(MessageReceipt, MessageReceipt.message_id == Message.id)
        .where(Message.thread_id == resource.item.id, *unread_of(user_id))
    ).all()
    if not messages or not _permitted(workflow_service, resource, "read"):
        return []
    _move(workflow_service, resource, [m for m in messages if m.state != "read"], "read")
    now = utcnow()
    ids = [m.id for m in messages]
    session.execute(
        update(MessageReceipt)
        .where(MessageReceipt.user_id == user_id, MessageReceipt.message_id.in_(ids),
               MessageReceipt.read_at.is_(None))
        .values(read_at=now, delivered_at=func.coalesce(MessageReceipt.delivered_at, now))
        .execution_options(synchronize_session=False)
    )
    return ids


def _permitted(workflow_service, resource, transition) -> bool:
    return workflow_service.permits(MESSAGE.transitions[transition].permission, resource)


def _move(workflow_service, resource, messages, transition):
    if not messages:
        return []
    return apply_many(
        MESSAGE, messages, transition, workflow_service.context(),
        permits=lambda permission: workflow_service.permits(permission, resource),
        notify=workflow_service.notify,
    )


# --- reading pages ----------------------------------------------------------------------
def unread_threads(user_id) -> Select:
    """The ids of threads where ``user_id`` has something unread (for an IN filter)."""
    return (
        select(Message.thread_id).join(MessageReceipt, MessageReceipt.message_id == Message.id)
        .where(*unread_of(user_id))
    )


@dataclass(frozen=True)
class ThreadStats:
    messages: int
    unread: int


def thread_stats(session, user_id, thread_ids) -> dict[int, ThreadStats]:
    """Per thread: how many messages, and how many ``user_id`` has not read (one grouped query)."""
    if not thread_ids:
        return {}
    rows = session.execute(
        select(Message.thread_id, func.count(Message.id), func.count(MessageReceipt.message_id))
        .outerjoin(MessageReceipt, and_(MessageReceipt.message_id == Message.id, *unread_of(user_id)))
        .where(Message.thread_id.in_(thread_ids))
        .group_by(Message.thread_id)
    ).all()
    return {thread_id: ThreadStats(total, unread) for thread_id, total, unread in rows}


def users_by_id(session, user_ids) -> dict[int, User]:
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def thread_messages(session, thread) -> list[Message]:
    """Every message of the thread, oldest first, with its author (one query)."""
    return session.scalars(
        select(Message).options(joinedload(Message.author))
        .where(Message.thread_id == thread.id, Message.party_id == thread.party_id)
        .order_by(Message.created_at, Message.id)
    ).all()


def receipts_of(session, message_ids) -> dict[int, list[MessageReceipt]]:
    """Who received each message and when they got and opened it (one query)."""
    result = defaultdict(list)
    if not message_ids:
        return result
    receipts = session.scalars(
        select(MessageReceipt).join(User, User.id == MessageReceipt.user_id)
        .options(contains_eager(MessageReceipt.user))
        .where(MessageReceipt.message_id.in_(message_ids))
        .order_by(MessageReceipt.message_id, User.last_name, User.first_name, User.id)
        # Receipts are stamped in bulk, past the session: read them as they are now.
        .execution_options(populate_existing=True)
    ).all()
    for receipt in receipts:
        result[receipt.message_id].append(receipt)
    return result


def attachments_of(session, party_id, message_ids) -> dict[int, list[Attachment]]:
    """The files attached to each message (one query, scoped to the party)."""
    result = defaultdict(list)
    if not message_ids:
        return result
    for attachment in session.scalars(
        select(Attachment)
        .where(Attachment.party_id == party_id, Attachment.owner_type == MESSAGE.name,
               Attachment.owner_id.in_(message_ids))
        .order_by(Attachment.id)
    ):
        result[attachment.owner_id].append(attachment)
    return result


def person_name(row) -> str | None:
    """``User.full_name`` of a row that carries a user's name columns (an export row)."""
    return User.full_name.fget(row) if row.login is not None else None


def export_rows(statement: Select, user_id) -> Select:
    """``statement`` (threads, filtered and sorted) as one row of plain columns per thread, for the export."""
    messages = (select(func.count(Message.id)).where(Message.thread_id == MessageThread.id)
                .correlate(MessageThread).scalar_subquery())
    unread = (
        select(func.count(MessageReceipt.message_id)).join(Message, Message.id == MessageReceipt.message_id)
        .where(Message.thread_id == MessageThread.id, *unread_of(user_id))
        .correlate(MessageThread).scalar_subquery()
    )
    return (
        statement.with_only_columns(
            MessageThread.id, MessageThread.subject, MessageThread.created_at, MessageThread.last_message_at,
            User.last_name, User.first_name, User.middle_name, User.login,
            messages.label("messages"), unread.label("unread"),
            maintain_column_froms=True,
        )
        .outerjoin(User, User.id == MessageThread.created_by_id)
    )
