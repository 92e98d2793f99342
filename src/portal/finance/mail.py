"""E-mail or SMS to a company's finance people when the accounting system issues it invoices: one
letter ``invoices`` per person and company for the invoices one batch brought (1C sends a month's
invoices at once; a customer hears of them once), each with its number, total and due date, and
the link to it (to the invoice list when there are several).

Who gets one, by which channel, is outbox/letters.py's rule for the kind ``invoices``: the
company's active members of the finance role (or of every role: the invoices' own rule,
finance/__init__.py) who chose e-mail or SMS for it. An invoice issued long ago is history being
loaded (a go-live brings years of it), and a cancelled one is no news: neither is announced.
"""
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from portal.finance.models import Invoice
from portal.formats import format_date, format_money
from portal.notifications.kinds import INVOICES
from portal.outbox.letters import one_line
from portal.parties.models import Membership, MembershipRole, MembershipState, Party

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


def finance_members(db, party_id) -> list[int]:
    """The active members of ``party_id`` who act for it in money matters."""
    return db.scalars(select(Membership.user_id).where(
        Membership.party_id == party_id, Membership.state == MembershipState.active,
        Membership.role.in_([MembershipRole.all.value, MembershipRole.finance.value]))).all()


def announce(db, letters, invoices, *, today: date, days: int = DEFAULT_RECENT_DAYS) -> int:
    """Tell each company's finance people of its new ``invoices``; how many letters were written."""
    written = 0
    for party_id, issued in newsworthy(invoices, today, days).items():
        party = db.get(Party, party_id)
        readers = letters.readers(db, finance_members(db, party_id), party_id, INVOICES)
        if not readers:
            continue
        url = (letters.url(f"/p/{party_id}/invoices/{issued[0].id}/") if len(issued) == 1
               else letters.url(f"/p/{party_id}/invoices/"))
        for user, channel in readers:
            language = letters.language(user)
            lines = [{"number": one_line(i.number), "total": format_money(i.total_amount, i.currency, language),
                      "due": format_date(i.due_date, language)} for i in issued[:LISTED]]
            letter = letters.write("invoices", user, party=one_line(party.name), invoices=lines, count=len(issued),
                                   more=max(len(issued) - LISTED, 0), url=url)
            letters.deliver(db, user, channel, letter, party_id=party_id, topic=TOPIC)
            written += 1
    return written
