"""Message ("zpráva"): sent → delivered (shown to a recipient) → read (first opened by one).

Who got and opened it, and when, is kept per recipient in MessageReceipt; the
message's own state is the furthest any recipient has reached.
"""
from portal.i18n import _
from portal.messages.models import Message
from portal.security.permissions import Permission as P
from portal.workflows.engine import State, Transition, Workflow
from portal.workflows.roles import ROLES

MESSAGE = Workflow(
    "message",
    Message,
    states=[
        State("sent", _("Sent")),
        State("delivered", _("Delivered")),
        State("read", _("Read"), final=True),
    ],
    initial="sent",
    transitions=[
        Transition("deliver", frozenset({"sent"}), "delivered", P.MessagesView, _("Delivered")),
        Transition("read", frozenset({"sent", "delivered"}), "read", P.MessagesView, _("Read")),
    ],
    roles=ROLES,
    title=_("Message"),
)
