"""Change request ("požadavek na změnu"): draft → submitted → approved → applied | rejected | withdrawn.

Nothing changes on the party until a back-office user (or the party's manager)
approves; approval and application happen in the same transaction.
"""
from portal.api.feed.services import party_reference, publish
from portal.audit.services import write_entry
from portal.changes.fields import FIELDS
from portal.changes.models import ChangeRequest
from portal.i18n import _
from portal.identity.models import Role
from portal.parties.models import Party
from portal.security.permissions import Permission as P
from portal.workflows.engine import State, Transition, Workflow
from portal.workflows.roles import ROLES
from portal.workflows.watchers import party_managers, role_holders

FEED_KIND = "change_requests"


def current_values(party: Party) -> dict:
    return {name: getattr(party, name) for name in FIELDS}


def has_real_changes(item, ctx):
    party = ctx.session.get(Party, item.party_id)
    current = current_values(party)
    if not any(current.get(k) != v for k, v in (item.changes or {}).items()):
        return _("The request changes nothing: every value is the same as now.")
    return None


def snapshot_previous(item, ctx):
    item.previous = current_values(ctx.session.get(Party, item.party_id))


def record_decision(item, ctx):
    item.decided_by_id = ctx.actor_id
    item.decided_at = ctx.now


def record_rejection(item, ctx):
    record_decision(item, ctx)
    item.reason = ctx.comment.strip()


def audit_application(item, ctx):
    """The audit log keeps what an approval changed on the party, ``[old, new]`` per field (run
    before ``apply_to_party``, which overwrites the old values)."""
    current = current_values(ctx.session.get(Party, item.party_id))
    changes = {name: [current.get(name), value] for name, value in (item.changes or {}).items()
               if name in FIELDS and current.get(name) != value}
    write_entry(ctx.session, "change_request.apply", f"party:{item.party_id}", actor_id=ctx.actor_id,
                change_request=item.id, changes=changes)


def audit_rejection(item, ctx):
    write_entry(ctx.session, "change_request.reject", f"party:{item.party_id}", actor_id=ctx.actor_id,
                change_request=item.id, reason=item.reason, requested=dict(item.changes or {}))


def publish_application(item, ctx):
    """``/api/v1/feed/change_requests`` tells the accounting system what an approval applies and what it
    replaces, in the approval's transaction (run before ``apply_to_party`` overwrites the old values)."""
    party = ctx.session.get(Party, item.party_id)
    current = current_values(party)
    values = {name: value for name, value in (item.changes or {}).items() if name in FIELDS}
    publish(ctx.session, FEED_KIND, {
        "change_request_id": item.id, "party": party_reference(party), "values": values,
        "previous": {name: current.get(name) for name in values}, "approved_at": item.decided_at,
        "applied_at": ctx.now,
    })


def apply_to_party(item, ctx):
    party = ctx.session.get(Party, item.party_id)
    for name, value in (item.changes or {}).items():
        if name in FIELDS:
            setattr(party, name, value)
    item.applied_at = ctx.now


AUTHOR_EDITS = (("author", (P.ChangesEdit,)),)

CHANGE_REQUEST = Workflow(
    "change_request",
    ChangeRequest,
    states=[
        State("draft", _("Draft"), acl=AUTHOR_EDITS),
        State("submitted", _("Submitted"), acl=AUTHOR_EDITS),
        State("approved", _("Approved")),
        State("applied", _("Applied"), final=True),
        State("rejected", _("Rejected"), final=True),
        State("withdrawn", _("Withdrawn"), final=True),
    ],
    initial="draft",
    transitions=[
        Transition("submit", frozenset({"draft"}), "submitted", P.ChangesEdit, _("Submit for approval"),
                   guard=has_real_changes, effects=(snapshot_previous,), style="primary"),
        Transition("withdraw", frozenset({"draft", "submitted"}), "withdrawn", P.ChangesEdit, _("Withdraw")),
        Transition("approve", frozenset({"submitted"}), "approved", P.ChangesDecide, _("Approve"),
                   effects=(record_decision,), style="primary"),
        Transition("apply", frozenset({"approved"}), "applied", P.ChangesDecide, _("Apply to the party"),
                   effects=(audit_application, publish_application, apply_to_party)),
        Transition("reject", frozenset({"submitted"}), "rejected", P.ChangesDecide, _("Reject"),
                   comment_required=True, effects=(record_rejection, audit_rejection), style="danger"),
    ],
    roles=ROLES,
    title=_("Change request"),
)


def watchers(event):
    """A change request submitted for approval is news for those who decide it: the back office
    (every party) and the party's managers (changes/__init__.py grants them ``changes:decide``)."""
    if event.transition != "submit":
        return None
    return role_holders(Role.backoffice) | party_managers(event.item.party_id)
