"""Meter reading ("samoodečet"): submitted → accepted | rejected.

A reading the checks found plausible is accepted at once where the settings say
so (``auto_accept``, taken by the system on submission); every other one waits
in the staff review queue (``/readings/``). Staff decisions are audited, and a
rejection's reason is kept on the reading and shown to the customer.
"""
from decimal import Decimal

from portal.api.feed.services import party_reference, publish
from portal.audit.services import write_entry
from portal.i18n import _
from portal.identity.models import Role
from portal.parties.models import Party
from portal.security.permissions import Permission as P
from portal.utility.models import Reading, ReadingOrigin
from portal.workflows.engine import CREATE, State, Transition, Workflow
from portal.workflows.roles import ROLES
from portal.workflows.watchers import party_managers, role_holders

SUBMITTED = "submitted"
FEED_KIND = "readings"


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


def shown(value, register):
    """``value`` with the register's decimals, as the meter shows it (None stays None)."""
    return value.quantize(Decimal(1).scaleb(-register.decimals)) if value is not None else None


def publishing_acceptance(transition: str):
    """The effect by which ``/api/v1/feed/readings`` tells the accounting system of a customer's reading
    accepted (by ``transition``), in the acceptance's transaction. The accounting system's own
    readings are not echoed back to it."""

    def publish_acceptance(item, ctx):
        if item.origin != ReadingOrigin.customer:
            return
        meter = item.meter
        point = meter.supply_point
        publish(ctx.session, FEED_KIND, {
            "reading_id": item.id, "party": party_reference(ctx.session.get(Party, item.party_id)),
            "supply_point": {"id": point.id, "external_id": point.external_id},
            "meter": {"id": meter.id, "external_id": meter.external_id, "serial_number": meter.serial_number},
            "reading_date": item.reading_date,
            "values": [{"register": v.register.code, "value": shown(v.value, v.register),
                        "consumption": shown(v.consumption, v.register)} for v in item.values],
            "comment": item.comment or "", "transition": transition, "submitted_at": item.created_at,
            "accepted_at": ctx.now,
        })

    return publish_acceptance


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
                   effects=(record_decision, audit_decision, publishing_acceptance("accept")), style="primary"),
        Transition("reject", frozenset({SUBMITTED}), "rejected", P.ReadingsDecide, _("Reject"),
                   comment_required=True, effects=(record_rejection, audit_decision), style="danger"),
        # Taken on submission when the reading is plausible and the settings accept such at once;
        # nobody holds this permission.
        Transition("auto_accept", frozenset({SUBMITTED}), "accepted", "system:auto-accept",
                   _("Accepted automatically"), effects=(record_decision, publishing_acceptance("auto_accept"))),
    ],
    roles=ROLES,
    title=_("Meter reading"),
)
