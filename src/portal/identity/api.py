"""Users as an entity of the integration API (``/api/v1/users``): who logs in, as the accounting
system (or a directory) keeps them. Never a password: a user made here sets one through the portal.

``DELETE`` blocks the user (and ends its sessions); a blocked user is sent ``"state": "active"`` to
be let in again. Blocking and unblocking are audited as an administrator's are. The schema lives
here, with the only code that reads it.
"""
import colander
from sqlalchemy import delete, select

from portal.api.entities import RowError
from portal.api.nodes import choice_node, external_id_node, optional_text, text_node
from portal.api.references import by_external_id
from portal.audit.services import write_entry
from portal.i18n import LANGUAGES, _
from portal.identity.auth import normalize_login
from portal.identity.models import AuthSession, User, UserState
from portal.parties.licence import SeatRefused, claim_seat, licence_limit
from portal.parties.models import MembershipState

NAME_FIELDS = ("last_name", "first_name", "middle_name")
FIELDS = ("login", "email", "phone", "language") + NAME_FIELDS


def _login(value):
    return normalize_login(value) if isinstance(value, str) else value


class UserApiSchema(colander.MappingSchema):
    description = _("A person who logs in. There is no password here, neither sent nor shown: a user "
                    "sets it in the portal.")

    external_id = external_id_node(title=_("External id"))
    login = text_node(64, preparer=_login, title=_("Login"))
    email = colander.SchemaNode(colander.String(), missing=colander.drop, title=_("E-mail"),
                                validator=colander.All(colander.Email(), colander.Length(max=254)))
    phone = optional_text(32, title=_("Phone"))
    last_name = optional_text(100, title=_("Last name"))
    first_name = optional_text(100, title=_("First name"))
    middle_name = optional_text(100, title=_("Middle name"))
    language = choice_node(LANGUAGES, missing=colander.drop, title=_("Interface language"))
    state = choice_node(UserState, missing=colander.drop, title=_("State"))


def find_user(db, external_id):
    return by_external_id(db, User, external_id)


def user_values(user: User) -> dict:
    values = {name: getattr(user, name) for name in FIELDS}
    values.update({name: values[name] or None for name in NAME_FIELDS})
    values.update(external_id=user.external_id, state=user.state)
    return values


def _blank(name, value):
    """What a field sent empty is stored as: names are never null, only empty."""
    return value if value is not None else ("" if name in NAME_FIELDS else None)


def set_state(seats, db, user: User, state: str) -> None:
    """Block (ending every session of the user) or let in again, audited; a customer user let in
    again takes its seat of the licence first (parties/licence.py)."""
    if user.state == state:
        return
    if state == UserState.active and not user.roles and any(
            m.state == MembershipState.active for m in user.memberships):
        try:
            claim_seat(db, seats, user.id)
        except SeatRefused as refused:
            raise RowError("state", refused.message) from None
    user.state = state
    if state == UserState.blocked:
        db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    db.flush()
    write_entry(db, "user.block" if state == UserState.blocked else "user.unblock", f"user:{user.id}", via="api")


def apply_user(seats, db, user, values):
    login = values["login"]
    if (user is None or user.login != login) and db.scalars(select(User.id).where(User.login == login)).first():
        raise RowError("login", _("Another user has the login ${login}.", mapping={"login": login}))
    if user is None:
        user = User(external_id=values["external_id"],
                    **{name: _blank(name, values.get(name)) for name in FIELDS})
        db.add(user)
        db.flush()
        write_entry(db, "user.create", f"user:{user.id}", login=login, via="api")
    else:
        changes = {name: [getattr(user, name), _blank(name, values[name])] for name in FIELDS
                   if name in values and getattr(user, name) != _blank(name, values[name])}
        for name, (_old, new) in changes.items():
            setattr(user, name, new)
        if changes:
            db.flush()
            write_entry(db, "user.update", f"user:{user.id}", changes=changes, via="api")
    if values.get("state") is not None:
        set_state(seats, db, user, values["state"])
    return user


def block_user(db, user):
    """A user is never removed: it is blocked (no login, its sessions ended; its history kept)."""
    set_state(None, db, user, UserState.blocked.value)


def includeme(config):
    config.include("portal.api.entities")
    registry = config.registry
    config.add_api_entity("users", schema=UserApiSchema, find=find_user, current=user_values, delete=block_user,
                          apply=lambda db, user, values: apply_user(licence_limit(registry), db, user, values),
                          title="User")
