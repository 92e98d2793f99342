"""``/admin/audit``: who did what to whom, newest first, filtered by action, and its export."""
from pyramid.view import view_config
from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import aliased
from translationstring import TranslationString

from portal.audit.actions import ACTION_TITLES, KIND_TITLES, action_title
from portal.audit.models import AuditEntry
from portal.audit.resources import AuditArea
from portal.i18n import _, translate
from portal.identity.models import User
from portal.parties.models import Party
from portal.requests.models import RequestType
from portal.security.permissions import Permission
from portal.staff.models import StaffGroup
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

Actor = aliased(User, name="actor")
SubjectUser = aliased(User, name="subject_user")


def target_id(kind: str):
    """The id in a target ``<kind>:<id>``, NULL for any other target.

    A CASE, so the cast only ever sees the digits after a matching prefix
    (PostgreSQL refuses to cast ``sla`` to an integer); compared with a
    primary key, it costs one index lookup per entry.
    """
    prefix = f"{kind}:"
    return case((func.substr(AuditEntry.target, 1, len(prefix)) == prefix,
                 cast(func.substr(AuditEntry.target, len(prefix) + 1), Integer)))


def audit_log():
    """Every entry with its actor's and its object's names, in one statement (unsorted).

    Rows are the entry, the actor's name columns (``actor_*``) and the
    object's: a user's name columns (``subject_*``), a party's, staff group's
    or request type's name. Each is an outer join: the actor may be the
    system, the object gone or of a kind without a name.
    """
    return (
        select(
            AuditEntry,
            Actor.last_name.label("actor_last_name"), Actor.first_name.label("actor_first_name"),
            Actor.middle_name.label("actor_middle_name"), Actor.login.label("actor_login"),
            SubjectUser.last_name.label("subject_last_name"), SubjectUser.first_name.label("subject_first_name"),
            SubjectUser.middle_name.label("subject_middle_name"), SubjectUser.login.label("subject_login"),
            Party.name.label("subject_party"), StaffGroup.name.label("subject_group"),
            RequestType.code.label("subject_request_type"),
        )
        .outerjoin(Actor, Actor.id == AuditEntry.actor_id)
        .outerjoin(SubjectUser, SubjectUser.id == target_id("user"))
        .outerjoin(Party, Party.id == target_id("party"))
        .outerjoin(StaffGroup, StaffGroup.id == target_id("staff_group"))
        .outerjoin(RequestType, RequestType.id == target_id("request_type"))
    )


# What names the object when the entry's target is of one of these kinds (the row's column).
NAMED_KINDS = {"party": "subject_party", "staff_group": "subject_group", "request_type": "subject_request_type"}


def person_name(last, first, middle, login) -> str | None:
    """A person's full name as ``User.full_name`` makes it (their login when they gave no name)."""
    if login is None:
        return None
    return " ".join(part for part in (last, first, middle) if part) or login


def actor_name(row) -> str | None:
    """The name of the person who acted; None for the system or a visitor not logged in."""
    return person_name(row.actor_last_name, row.actor_first_name, row.actor_middle_name, row.actor_login)


def subject_name(request, row) -> str:
    """The object of an entry by name, in the reader's language: a person, a party, a group,
    an exported list; what has no name (or is gone) by its kind and id."""
    entry = row.AuditEntry
    kind, _sep, key = entry.target.partition(":")
    detail = entry.detail or {}
    if kind == "user" and row.subject_login is not None:
        return person_name(row.subject_last_name, row.subject_first_name, row.subject_middle_name,
                           row.subject_login)
    if kind in NAMED_KINDS and getattr(row, NAMED_KINDS[kind]) is not None:
        return getattr(row, NAMED_KINDS[kind])
    if kind == "list" and detail.get("list"):
        return translate(request, TranslationString(detail["list"], domain="portal"))
    if not entry.target:
        return ""
    title = KIND_TITLES.get(kind)
    if title is None:
        return entry.target
    if not key:
        return translate(request, title)
    # Gone since (a deleted group): the name the entry kept, else the kind and id.
    name = detail.get("name") if isinstance(detail.get("name"), str) else None
    return translate(request, _("${kind} ${name}", mapping={"kind": title, "name": name or f"#{key}"}))


def shown(value) -> str:
    """One value of an entry's data as a reader sees it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={shown(v)}" for k, v in value.items())
    return str(value)


def detail_text(row) -> str:
    """An entry's data, one ``name: value`` a line; a change (``[old, new]`` per field) as ``old → new``."""
    lines = []
    for name, value in (row.AuditEntry.detail or {}).items():
        if name == "changes" and isinstance(value, dict):
            lines.extend(
                f"{field}: {shown(change[0])} → {shown(change[1])}"
                if isinstance(change, list) and len(change) == 2 else f"{field}: {shown(change)}"
                for field, change in value.items()
            )
        elif name != "list":
            lines.append(f"{name}: {shown(value)}")
    return "\n".join(lines)


def action_choices(request) -> list[tuple[str, str]]:
    """Every titled action, by its title in the reader's language: the filter's choices."""
    return sorted(((code, translate(request, title)) for code, title in ACTION_TITLES.items()),
                  key=lambda choice: choice[1].lower())


def export_columns(request):
    return (
        Column(_("When"), lambda row: row.AuditEntry.at, kind="datetime"),
        Column(_("Who"), actor_name, width=30),
        Column(_("Login"), "actor_login", width=20),
        Column(_("Action"), lambda row: translate(request, action_title(row.AuditEntry.action)), width=34),
        Column(_("Object"), lambda row: subject_name(request, row), width=30),
        Column(_("Details"), detail_text, width=50),
        Column(_("Address"), lambda row: row.AuditEntry.ip, width=18),
    )


@view_config(context=AuditArea, name="", attr="page", permission=Permission.AdminAudit,
             request_method=("GET", "HEAD"), renderer="portal:audit/templates/audit.pt")
@view_config(context=AuditArea, name="export.xlsx", attr="export", permission=Permission.AdminAudit,
             request_method=("GET", "HEAD"))
class AuditLog(ListView):
    """Every recorded action, newest first, people and objects by name: the page and its export."""

    spec = ListSpec(
        columns=export_columns,
        sorts={"at": AuditEntry.at}, default_sort="-at", tiebreak=AuditEntry.id.desc(),
        filters={"action": (AuditEntry.action, set(ACTION_TITLES))},
        title=_("Audit log"), ascii_name="audit-log", scalars=False,
    )

    def statement(self):
        return audit_log()

    def extra(self, page):
        return {
            "actor_name": actor_name,
            "subject_name": lambda row: subject_name(self.request, row),
            "action_title": action_title,
            "detail_text": detail_text,
            "actions": action_choices(self.request),
        }
