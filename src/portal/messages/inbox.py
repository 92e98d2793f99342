"""Messages across parties: ``/messages/`` (the threads of every party a user may see) and where the
header's counter leads (which parties hold the user's unread messages).

Every statement here is scoped by ``party_ids``, a select of the ids of the
parties the user may see (``parties.services.visible_party_ids``), or None for
staff whose role sees every party: a thread of another party is never listed,
counted or exported. "Unread" is the user's own: messages someone else wrote to
them (their receipts) that they have not opened (services.py).
"""
from sqlalchemy import Select, func, select

from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.messages.services import export_rows, unread_of, unread_threads
from portal.parties.models import Party


def _scoped(statement, column, party_ids: Select | None):
    return statement if party_ids is None else statement.where(column.in_(party_ids))


def inbox_threads(user_id, party_ids: Select | None, *, unread_only: bool) -> Select:
    """The threads of the parties ``party_ids`` (joined to their party, to sort by its name); only
    those where ``user_id`` has something unread when ``unread_only``."""
    statement = select(MessageThread).join(Party, Party.id == MessageThread.party_id)
    if unread_only:
        statement = statement.where(MessageThread.id.in_(unread_threads(user_id)))
    return _scoped(statement, MessageThread.party_id, party_ids)


def inbox_export_rows(statement: Select, user_id) -> Select:
    """``statement`` (inbox threads, filtered and sorted) as plain rows for the export, with the party's name."""
    return export_rows(statement, user_id).add_columns(Party.name.label("party_name"))


def unread_by_party(session, user_id, party_ids: Select | None) -> dict[int, int]:
    """How many unread messages ``user_id`` has on each party (only parties with some): one grouped query."""
    statement = (
        select(Message.party_id, func.count())
        .join(MessageReceipt, MessageReceipt.message_id == Message.id)
        .where(*unread_of(user_id))
        .group_by(Message.party_id)
    )
    return dict(session.execute(_scoped(statement, Message.party_id, party_ids)).all())


def unread_parties_statement(user_id, party_ids: Select | None, limit: int = 2) -> Select:
    """The ids of up to ``limit`` parties where ``user_id`` has unread messages, smallest first."""
    statement = (
        select(Message.party_id).join(MessageReceipt, MessageReceipt.message_id == Message.id)
        .where(*unread_of(user_id)).distinct().order_by(Message.party_id).limit(limit)
    )
    return _scoped(statement, Message.party_id, party_ids)


def unread_parties(session, user_id, party_ids: Select | None, limit: int = 2) -> list[int]:
    """Up to ``limit`` parties where ``user_id`` has unread messages (enough to tell one from several)."""
    return list(session.scalars(unread_parties_statement(user_id, party_ids, limit)))


def parties_named(session, party_ids) -> list[Party]:
    """The parties of ``party_ids`` (plain ids the caller already scoped), by name."""
    if not party_ids:
        return []
    return session.scalars(
        select(Party).where(Party.id.in_(sorted(set(party_ids)))).order_by(Party.name, Party.id)).all()
