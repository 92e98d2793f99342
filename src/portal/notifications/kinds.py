"""The kinds of notification a person chooses a channel for (``/account/notifications``).

Each kind says which channels make sense for it and what it is when nobody chose: ``messages``
always show in the portal (unread counters, receipts), so they can be quiet but not off; account
news (a registration decided) must reach the person, by e-mail or SMS; ``news`` of new work
and the ``deadlines`` of one's work concern staff only, ``documents`` attached to a company and
the ``invoices`` issued to it its customers only.
"""
from dataclasses import dataclass

from portal.i18n import _
from portal.notifications.models import Channel

EVERY_CHANNEL = (Channel.email, Channel.sms, Channel.portal, Channel.off)


@dataclass(frozen=True)
class NotificationKind:
    name: str
    title: object
    description: object
    channels: tuple = EVERY_CHANNEL
    default: Channel = Channel.email
    # Whose it is: "all", "staff" (new work) or "customers" (news of their companies).
    audience: str = "all"


WORK = NotificationKind(
    "work", _("My requests, tickets and change requests"),
    _("Someone else moved an item you filed or that is assigned to you."))
NEWS = NotificationKind(
    "news", _("New work for me or my team"),
    _("A request filed for your group, a critical ticket, a change request to decide."), audience="staff")
MESSAGES = NotificationKind(
    "messages", _("Messages"),
    _("A new message in a conversation of yours; it always shows in the portal with its unread counter."),
    channels=(Channel.email, Channel.sms, Channel.portal))
DOCUMENTS = NotificationKind(
    "documents", _("New documents for my company"),
    _("A document our staff attached to your company; it also shows as new on the company's page."),
    audience="customers")
INVOICES = NotificationKind(
    "invoices", _("New invoices for my company"),
    _("An invoice the accounting system issued to your company; it is always in the company's invoice list."),
    audience="customers")
DEADLINES = NotificationKind(
    "deadlines", _("Deadlines of my work"),
    _("An item assigned to you, or waiting for your group, falls due soon or is overdue."), audience="staff")
ACCOUNT = NotificationKind(
    "account", _("My account"),
    _("Your registration and your requests to act for a company: bound or rejected."),
    channels=(Channel.email, Channel.sms))

KINDS = {kind.name: kind for kind in (WORK, NEWS, DEADLINES, MESSAGES, DOCUMENTS, INVOICES, ACCOUNT)}
# What the single "e-mails on or off" switch of the account page covered, before the choice per kind.
FORMER_EMAIL_SWITCH = (WORK.name, NEWS.name, MESSAGES.name)

CHANNEL_TITLES = {
    Channel.email: _("E-mail"),
    Channel.sms: _("SMS"),
    Channel.portal: _("In the portal only"),
    Channel.off: _("Off"),
}


def kinds_for(is_staff: bool) -> list[NotificationKind]:
    """The kinds a customer (or a member of staff) chooses for, in the order shown."""
    own = "staff" if is_staff else "customers"
    return [kind for kind in KINDS.values() if kind.audience in ("all", own)]
