"""The workflow settings an administrator keeps: request types, the SLA per priority, staff groups,
the group that answers customers' messages.

Every change is written to the audit log with what it changed, through the
``IAuditService`` the caller passes (so the entry names the acting admin).
What the database would refuse (a code or name taken) or what would strand
work (a group that request types or open items are routed to) is refused here
with a ``SettingRefused`` that says why, before anything is changed.
"""
from sqlalchemy import func, select

from portal.i18n import _
from portal.identity.models import User, UserRole, UserState
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.workflow import REQUEST
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.tickets.models import ServiceTicket, SlaPolicy
from portal.tickets.workflow import SERVICE_TICKET
from portal.workflows.priorities import PRIORITIES

TYPE_FIELDS = ("code", "names", "group_id", "default_priority", "due_hours", "active")


class SettingRefused(Exception):
    """A change that was refused; ``message`` is translatable, ``field`` the form field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _apply(obj, values: dict) -> dict:
    """Set ``values`` on ``obj``; returns ``{field: [old, new]}`` for what really changed."""
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [old, value]
            setattr(obj, name, value)
    return changes


# --- request types ---------------------------------------------------------------------
def save_request_type(session, audit, values: dict, request_type: RequestType | None = None) -> RequestType:
    """Create a request type (``request_type`` None) or change one; ``values`` holds ``TYPE_FIELDS``."""
    values = {name: values[name] for name in TYPE_FIELDS}
    taken = select(RequestType.id).where(RequestType.code == values["code"])
    if request_type is not None:
        taken = taken.where(RequestType.id != request_type.id)
    if session.scalar(taken.limit(1)) is not None:
        raise SettingRefused(_("A request type with the code “${code}” already exists. Choose another code.",
                               mapping={"code": values["code"]}), field="code")
    if values["group_id"] is not None and session.get(StaffGroup, values["group_id"]) is None:
        raise SettingRefused(_("This staff group no longer exists. Choose another one."), field="group_id")
    if request_type is None:
        request_type = RequestType(**values)
        session.add(request_type)
        session.flush()
        audit.record("request_type.create", f"request_type:{request_type.id}", **values)
        return request_type
    changes = _apply(request_type, values)
    if changes:
        session.flush()
        audit.record("request_type.update", f"request_type:{request_type.id}", code=request_type.code,
                     changes=changes)
    return request_type


def request_counts(session, type_ids) -> dict[int, int]:
    """How many requests were filed of each type (a type in use is deactivated, never deleted)."""
    if not type_ids:
        return {}
    rows = session.execute(
        select(CustomerRequest.type_id, func.count()).where(CustomerRequest.type_id.in_(type_ids))
        .group_by(CustomerRequest.type_id)
    ).all()
    return dict(rows)


# --- SLA -------------------------------------------------------------------------------
def save_sla(session, audit, values: dict) -> dict:
    """Store ``{priority: (resolve_hours, business_hours, customer_may_choose)}`` for every priority;
    returns what changed. Refused when customers could choose no priority at all: they could open no ticket."""
    if not any(values[priority][2] for priority in PRIORITIES):
        raise SettingRefused(_("Customers must be able to choose at least one priority, "
                               "or they could open no ticket."))
    changes = {}
    for priority in PRIORITIES:
        hours, business, may_choose = new = values[priority]
        policy = session.get(SlaPolicy, priority)
        if policy is None:
            session.add(SlaPolicy(priority=priority, resolve_hours=hours, business_hours=business,
                                  customer_may_choose=may_choose))
            changes[priority] = [None, list(new)]
        else:
            old = (policy.resolve_hours, policy.business_hours, policy.customer_may_choose)
            if old != new:
                changes[priority] = [list(old), list(new)]
                policy.resolve_hours, policy.business_hours, policy.customer_may_choose = new
    if changes:
        session.flush()
        audit.record("sla.update", "sla", changes=changes)
    return changes


# --- staff groups ----------------------------------------------------------------------
def _refuse_taken_name(session, name, group=None):
    # Names differing in case only would be told apart by nobody choosing from a list.
    taken = select(StaffGroup.id).where(func.lower(StaffGroup.name) == name.lower())
    if group is not None:
        taken = taken.where(StaffGroup.id != group.id)
    if session.scalar(taken.limit(1)) is not None:
        raise SettingRefused(_("A staff group named “${name}” already exists. Choose another name.",
                               mapping={"name": name}), field="name")


def create_group(session, audit, name: str) -> StaffGroup:
    _refuse_taken_name(session, name)
    group = StaffGroup(name=name)
    session.add(group)
    session.flush()
    audit.record("staff_group.create", f"staff_group:{group.id}", name=name)
    return group


def rename_group(session, audit, group: StaffGroup, name: str) -> bool:
    """Rename ``group``; False when the name is what it was."""
    if name == group.name:
        return False
    _refuse_taken_name(session, name, group)
    old, group.name = group.name, name
    session.flush()
    audit.record("staff_group.rename", f"staff_group:{group.id}", changes={"name": [old, name]})
    return True


def _staff_users():
    """Active users holding any staff role: the only ones work can be routed to."""
    return (
        select(User)
        .where(User.state == UserState.active.value,
               select(UserRole.role).where(UserRole.user_id == User.id).exists())
    )


def staff_candidates(session, group: StaffGroup) -> list[User]:
    """Active staff who are not yet members of ``group``, for the "add member" choice."""
    members = select(StaffGroupMember.user_id).where(StaffGroupMember.group_id == group.id)
    return session.scalars(
        _staff_users().where(User.id.not_in(members)).order_by(User.last_name, User.first_name, User.login)
    ).all()


def members_of(session, group: StaffGroup) -> list[User]:
    return session.scalars(
        select(User).join(StaffGroupMember, StaffGroupMember.user_id == User.id)
        .where(StaffGroupMember.group_id == group.id)
        .order_by(User.last_name, User.first_name, User.login)
    ).all()


def _membership(session, group, user_id):
    return session.get(StaffGroupMember, (group.id, user_id))


def add_member(session, audit, group: StaffGroup, user_id: int) -> User:
    user = session.scalar(_staff_users().where(User.id == user_id))
    if user is None:
        raise SettingRefused(_("Only active staff can be members of a group."), field="user_id")
    if _membership(session, group, user_id) is not None:
        raise SettingRefused(_("${name} is already a member of this group.", mapping={"name": user.full_name}),
                             field="user_id")
    session.add(StaffGroupMember(group_id=group.id, user_id=user_id))
    session.flush()
    session.expire(group, ["members"])
    audit.record("staff_group.add_member", f"staff_group:{group.id}", user_id=user.id, login=user.login)
    return user


def remove_member(session, audit, group: StaffGroup, user_id: int) -> User:
    membership = _membership(session, group, user_id)
    if membership is None:
        raise SettingRefused(_("This user is not a member of the group."))
    user = session.get(User, user_id)
    session.delete(membership)
    session.flush()
    session.expire(group, ["members"])
    audit.record("staff_group.remove_member", f"staff_group:{group.id}", user_id=user.id, login=user.login)
    return user


def routed_types(session, group_ids) -> dict[int, list[RequestType]]:
    """The request types routed to each of ``group_ids`` (all groups when None), by code."""
    statement = select(RequestType).where(RequestType.group_id.is_not(None)).order_by(RequestType.code)
    if group_ids is not None:
        statement = statement.where(RequestType.group_id.in_(group_ids))
    result = {}
    for request_type in session.scalars(statement):
        result.setdefault(request_type.group_id, []).append(request_type)
    return result


def _open_items(session, group: StaffGroup) -> int:
    """Requests and tickets routed to ``group`` that are not closed yet."""
    count = 0
    for model, workflow in ((CustomerRequest, REQUEST), (ServiceTicket, SERVICE_TICKET)):
        final = [s.name for s in workflow.states.values() if s.final]
        count += session.scalar(
            select(func.count()).select_from(model).where(model.group_id == group.id, model.state.not_in(final))
        )
    return count


def delete_group(session, audit, group: StaffGroup) -> None:
    """Delete ``group`` unless work is routed to it: request types, customers' messages, or requests
    and tickets still open."""
    if group.answers_messages:
        raise SettingRefused(_("The group cannot be deleted: it answers customers' messages. "
                               "Choose another group for messages first."))
    types = routed_types(session, [group.id]).get(group.id, [])
    if types:
        raise SettingRefused(_(
            "The group cannot be deleted: request types are routed to it (${codes}). "
            "Route them to another group first.", mapping={"codes": ", ".join(t.code for t in types)}))
    open_items = _open_items(session, group)
    if open_items:
        raise SettingRefused(_(
            "The group cannot be deleted: ${count} open requests or tickets are routed to it. "
            "Close or reassign them first.", mapping={"count": open_items}))
    target, name = f"staff_group:{group.id}", group.name
    session.delete(group)
    session.flush()
    audit.record("staff_group.delete", target, name=name)


# --- who answers messages ----------------------------------------------------------------
def message_group(session) -> StaffGroup | None:
    """The staff group chosen to answer customers' messages (messages/services.py routes by it)."""
    return session.scalars(
        select(StaffGroup).where(StaffGroup.answers_messages.is_(True)).order_by(StaffGroup.id).limit(1)).first()


def set_message_group(session, audit, group_id: int | None) -> bool:
    """Make ``group_id`` (None: no group) the one group that answers messages; False when nothing changes.

    The groups are locked while the choice moves, so two administrators choosing
    at once leave one group chosen, not two. Threads already started keep their
    group: the choice applies to threads started from now on.
    """
    groups = session.scalars(select(StaffGroup).order_by(StaffGroup.id).with_for_update()).all()
    if group_id is not None and group_id not in {g.id for g in groups}:
        raise SettingRefused(_("This staff group no longer exists. Choose another one."), field="group_id")
    chosen = [g for g in groups if g.answers_messages]
    if [g.id for g in chosen] == ([] if group_id is None else [group_id]):
        return False
    for group in groups:
        group.answers_messages = group.id == group_id
    session.flush()
    old = chosen[0] if chosen else None
    new = next((g for g in groups if g.id == group_id), None)
    audit.record("messages.group", "messages", changes={"group": [
        None if old is None else {"id": old.id, "name": old.name},
        None if new is None else {"id": new.id, "name": new.name},
    ]})
    return True
