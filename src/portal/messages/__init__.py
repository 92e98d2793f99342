"""Messages: threads between a party's users and the company's staff, with receipts per recipient
(delivered when counted in the header, read when opened) and an e-mail to each; ``/messages/`` lists
the threads of every party a user may see."""
from portal.i18n import _
from portal.identity.models import Role
from portal.messages.resources import InboxArea, ThreadsContainer
from portal.messages.workflow import MESSAGE
from portal.security.permissions import Permission as P


def includeme(config):
    config.add_party_child(ThreadsContainer.segment, ThreadsContainer)
    config.add_root_area(InboxArea.segment, InboxArea)
    config.include(".mail")
    config.add_party_grants(
        member=(P.MessagesView, P.MessagesSend),
        staff={Role.backoffice: (P.MessagesView, P.MessagesSend), Role.service: (P.MessagesView, P.MessagesSend),
               Role.head: (P.MessagesView,), Role.admin: (P.MessagesView,)},
        manager=(P.MessagesView, P.MessagesSend),
    )
    config.add_party_tile("messages", _("Messages"), "messages", P.MessagesView, order=40)
    # Messages have their own unread counters and receipts: no notices, not on the dashboard.
    config.add_work_kind(MESSAGE, segment=ThreadsContainer.segment, key="message", title=_("Message"),
                         plural=_("Messages"), view_permission=P.MessagesView, on_dashboard=False, notices=False)
    config.scan(".views")
