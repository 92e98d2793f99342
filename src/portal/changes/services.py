"""Change requests of a party's master data: drafting, revising a draft, deciding, the decision queue.

Nothing here changes a party: only the workflow's ``apply`` transition does,
and ``approve_and_apply`` takes it together with ``approve`` so an approved
request never waits half-done.
"""
from sqlalchemy import func, select

from portal.changes.models import ChangeRequest
from portal.changes.workflow import CHANGE_REQUEST, FIELDS, current_values
from portal.i18n import _
from portal.identity.models import Role
from portal.parties.models import ManagerAssignment, Party
from portal.workflows.engine import StaleItem, TransitionNotAllowed
from portal.workflows.models import WorkflowHistory

# Roles whose decision queue holds every party's requests (the head's only to read);
# a manager's holds only the parties assigned to him.
QUEUE_ALL_PARTIES_ROLES = (Role.backoffice, Role.head)


def requested_changes(party: Party, values: dict) -> dict:
    """Of ``values`` (field -> new value or None), those that differ from the party's today."""
    current = current_values(party)
    return {
        name: values[name] for name in FIELDS
        if name in values and values[name] != (current[name] if current[name] != "" else None)
    }


def draft_change_request(workflow_service, *, party: Party, author_id, changes: dict) -> ChangeRequest:
    """A new change request in ``draft`` holding only the changed values, its creation in the history."""
    item = ChangeRequest(party_id=party.id, author_id=author_id, changes=dict(changes), previous={})
    return workflow_service.create(CHANGE_REQUEST, item)


def edit_refusal(item: ChangeRequest):
    """Why ``item`` cannot be edited (a translatable message), or None while it is a draft."""
    if item.state == "draft":
        return None
    return _("Only a draft can be edited; this change request is now “${state}”.",
             mapping={"state": CHANGE_REQUEST.state(item.state).title})


def revise_draft(session, item: ChangeRequest, changes: dict, *, expected_version=None) -> None:
    """Replace a draft's requested values; refused once it left ``draft`` or changed since the page was read.

    Raises the engine's TransitionNotAllowed or StaleItem (with the last
    history entry), so a refusal reads like any other workflow refusal.
    """
    # The same row lock the engine takes: a submit or withdraw in another tab waits for this, or wins.
    session.execute(
        select(ChangeRequest).where(ChangeRequest.id == item.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    refusal = edit_refusal(item)
    if refusal is not None:
        raise TransitionNotAllowed(refusal, last=CHANGE_REQUEST.last_entry(session, item))
    if expected_version is not None and item.version != expected_version:
        raise StaleItem(_("Someone else has changed this item meanwhile. Review it and try again."),
                        last=CHANGE_REQUEST.last_entry(session, item))
    item.changes = dict(changes)
    session.flush()


def approve_and_apply(workflow_service, resource, *, comment="", expected_version=None):
    """Approve a submitted request and apply its values to the party, both recorded in the history.

    Both transitions run in the caller's transaction; when either is refused
    a WorkflowError is raised and the caller must abort (views doom the
    transaction), so the party is changed together with the approval or not at all.
    """
    approved = workflow_service.apply(resource, "approve", comment=comment, expected_version=expected_version)
    applied = workflow_service.apply(resource, "apply")
    return approved, applied


def submitted_at():
    """When each change request was (last) submitted, from the history: the queue's age."""
    return (
        select(func.max(WorkflowHistory.at))
        .where(WorkflowHistory.workflow == CHANGE_REQUEST.name, WorkflowHistory.item_id == ChangeRequest.id,
               WorkflowHistory.transition == "submit")
        .correlate(ChangeRequest)
        .scalar_subquery()
        .label("submitted_at")
    )


# One column for the queue's rows and its sort, so ORDER BY names it rather than repeating the subquery.
SUBMITTED_AT = submitted_at()


def decision_queue(identity):
    """Submitted change requests this member of staff may decide (or, the head, read), unsorted.

    Rows are (ChangeRequest, party_name, submitted_at). A manager's scope is a
    subquery on his assignments, so paging and counting stay in the database.
    """
    statement = (
        select(ChangeRequest, Party.name.label("party_name"), SUBMITTED_AT)
        .join(Party, Party.id == ChangeRequest.party_id)
        .where(ChangeRequest.state == "submitted")
    )
    if not any(identity.has_role(role) for role in QUEUE_ALL_PARTIES_ROLES):
        managed = select(ManagerAssignment.party_id).where(ManagerAssignment.user_id == identity.user.id)
        statement = statement.where(ChangeRequest.party_id.in_(managed.scalar_subquery()))
    return statement
