"""E-mail or SMS to a company's finance people when the accounting system issues it invoices: one
letter ``invoices`` per person and company for the invoices one batch brought (1C sends a month's
invoices at once; a customer hears of them once), each with its number, total and due date, and
the link to it (to the invoice list when there are several).

Who gets one, by which channel, is outbox/letters.py's rule for the kind ``invoices`` (asked here
for the whole batch at once: 1C's month is thousands of companies): the
company's active members of the finance role (or of every role: the invoices' own rule,
finance/__init__.py) who chose e-mail or SMS for it. An invoice issued long ago is history being
loaded (a go-live brings years of it), and a cancelled one is no news: neither is announced.
"""
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.db.among import IN_LIST, among
from portal.finance.models import Invoice
from portal.formats import format_date, format_money
from portal.identity.models import User, UserState
from portal.notifications.kinds import INVOICES
from portal.notifications.services import chosen_channels
from portal.outbox.letters import one_line
from portal.parties.models import Membership, MembershipRole, MembershipState, Party
from portal.parties.services import member_sees_party

TOPIC = "invoice.issue"
RECENT_DAYS_SETTING = "portal.finance.announce_days"
DEFAULT_RECENT_DAYS = 30
# Invoices named in one letter; more are counted ("and 12 more") and found in the list.
LISTED = 20


def recent_days(settings) -> int:
    """How old an invoice may be (by its issue date) and still be news (``portal.finance.announce_days``)."""
    return int(settings.get(RECENT_DAYS_SETTING) or DEFAULT_RECENT_DAYS)


def newsworthy(invoices, today: date, days: int) -> dict[int, list[Invoice]]:
    """Party id -> its invoices of ``invoices`` worth announcing (not cancelled, issued within ``days``),
    by issue date and number."""
    since = today - timedelta(days=days)
    by_party = defaultdict(list)
    for invoice in invoices:
        if not invoice.cancelled and invoice.issue_date >= since:
            by_party[invoice.party_id].append(invoice)
    return {party_id: sorted(found, key=lambda i: (i.issue_date, i.number)) for party_id, found in by_party.items()}


def issued(db, external_ids) -> list:
    """The invoices ``external_ids`` as ``announce`` reads them: rows of the columns it reads rather than
    ORM objects (a batch brings thousands), in a statement per few hundred."""
    columns = (Invoice.id, Invoice.party_id, Invoice.number, Invoice.issue_date, Invoice.due_date,
               Invoice.total_amount, Invoice.currency, Invoice.cancelled)
    ids = list(dict.fromkeys(external_ids))
    return [row for first in range(0, len(ids), IN_LIST)
            for row in db.execute(select(*columns).where(among(db, Invoice.external_id, ids[first:first + IN_LIST])))]


def finance_readers(db, party_ids) -> dict[int, list[User]]:
    """Party id -> the active members of it who act for it in money matters and may see it (the
    page's rule, parties/services.py), in a statement per few hundred parties."""
    member, party = aliased(Membership), aliased(Party)
    found = defaultdict(list)
    ids = sorted(party_ids)
    for first in range(0, len(ids), IN_LIST):
        rows = db.execute(select(member.party_id, User).join(User, User.id == member.user_id)
                          .join(party, party.id == member.party_id).where(
            among(db, member.party_id, ids[first:first + IN_LIST]), member.state == MembershipState.active.value,
            member.role.in_([MembershipRole.all.value, MembershipRole.finance.value]),
            User.state == UserState.active.value, member_sees_party(member, party),
        ).order_by(member.party_id, User.id))
        for party_id, user in rows:
            found[party_id].append(user)
    return found


def announce(db, letters, invoices, *, today: date, days: int = DEFAULT_RECENT_DAYS) -> int:
    """Tell each company's finance people of its new ``invoices`` (objects or ``issued`` rows); how many
    letters were written.
    The readers, their channels and the companies' names are read for the whole batch at once."""
    news = newsworthy(invoices, today, days)
    readers = finance_readers(db, news)
    if not readers:
        return 0
    chosen = chosen_channels(db, sorted({user.id for users in readers.values() for user in users}), INVOICES)
    names = dict(db.execute(select(Party.id, Party.name).where(among(db, Party.id, sorted(readers)))).all())
    pending = []  # (user, channel, party id, the letter's values)
    for party_id, users in readers.items():
        issued = news[party_id]
        url = (letters.url(f"/p/{party_id}/invoices/{issued[0].id}/") if len(issued) == 1
               else letters.url(f"/p/{party_id}/invoices/"))
        listed = {}  # language -> the invoices' lines as its readers see them
        for user in users:
            channel = letters.channel(user, chosen[user.id])
            if channel is None:
                continue
            language = letters.language(user)
            if language not in listed:
                listed[language] = [{"number": one_line(i.number),
                                     "total": format_money(i.total_amount, i.currency, language),
                                     "due": format_date(i.due_date, language)} for i in issued[:LISTED]]
            pending.append((user, channel, party_id, {
                "party": one_line(names[party_id]), "invoices": listed[language], "count": len(issued),
                "more": max(len(issued) - LISTED, 0), "url": url}))
    written = letters.write_each("invoices", [(user, values) for user, _channel, _party_id, values in pending])
    return letters.deliver_all(db, [letters.message(user, channel, letter, party_id=party_id, topic=TOPIC)
                                    for (user, channel, party_id, _values), letter in zip(pending, written)])
