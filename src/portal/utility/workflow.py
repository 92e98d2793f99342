"""Meter reading ("samoodečet"): submitted → accepted | rejected.

A reading the checks found plausible is accepted at once where the settings say
so (``auto_accept``, taken by the system on submission); every other one waits
in the staff review queue (``/readings/``). Staff decisions are audited, and a
rejection's reason is kept on the reading and shown to the customer.
"""
from portal.audit.services import write_entry
from portal.i18n import _
from portal.identity.models import Role
from portal.security.permissions import Permission as P
from portal.utility.models import Reading
from portal.workflows.engine import CREATE, State, Transition, Workflow
from portal.workflows.roles import ROLES
from portal.workflows.watchers import party_managers, role_holders

SUBMITTED = "submitted"


def record_decision(item, ctx):
    item.decided_by_id = ctx.actor_id
    item.decided_at = ctx.now


def record_rejection(item, ctx):
    record_decision(item, ctx)
    item.reason = ctx.comment.strip()


def audit_decision(item, ctx):
    """A member of staff's decision goes into the audit log with the transition that made it."""
    write_entry(ctx.session, f"reading.{'reject' if item.state == 'rejected' else 'accept'}", f"reading:{item.id}",
                actor_id=ctx.actor_id, party_id=item.party_id, meter_id=item.meter_id,
                reading_date=item.reading_date.isoformat(), comment=ctx.comment or "")


# What the submission says in its TransitionContext.data: the reading waits for review (not accepted at once).
FOR_REVIEW = "for_review"


def watchers(event):
    """A reading that waits for review is news for those who decide it: the back office (every
    party) and the party's managers (utility/__init__.py grants them ``readings:decide``)."""
    if event.transition != CREATE or not event.context.data.get(FOR_REVIEW):
        return None
    return role_holders(Role.backoffice) | party_managers(event.item.party_id)


READING = Workflow(
    "reading",
    Reading,
    states=[
        State(SUBMITTED, _("Waiting for review")),
        State("accepted", _("Accepted"), final=True),
        State("rejected", _("Rejected"), final=True),
    ],
    initial=SUBMITTED,
    transitions=[
        Transition("accept", frozenset({SUBMITTED}), "accepted", P.ReadingsDecide, _("Accept"),
                   effects=(record_decision, audit_decision), style="primary"),
        Transition("reject", frozenset({SUBMITTED}), "rejected", P.ReadingsDecide, _("Reject"),
                   comment_required=True, effects=(record_rejection, audit_decision), style="danger"),
        # Taken on submission when the reading is plausible and the settings accept such at once;
        # nobody holds this permission.
        Transition("auto_accept", frozenset({SUBMITTED}), "accepted", "system:auto-accept",
                   _("Accepted automatically"), effects=(record_decision,)),
    ],
    roles=ROLES,
    title=_("Meter reading"),
)
