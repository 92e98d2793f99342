"""``portal-admin <ini> <command>``: manage users and parties from the console.

Commands: create-user, set-password, invite, block, unblock, unlock, list-users, create-api-key. A password
is read from a prompt (twice) or, when stdin is not a terminal, from its first
line, so it never shows in the process list or the shell history. ``create-party`` makes a party as the
web's form does; a customer user made or unblocked here takes a seat of the licence
(``portal.max_customer_users``), as one on the web does.
"""
import argparse
import getpass
import ipaddress
import sys

from sqlalchemy import delete, select

from portal.admin.parties import save_party
from portal.admin.services import SettingRefused
from portal.api.keys import create_api_key as make_api_key
from portal.api.models import ApiScope
from portal.audit.models import AuditEntry
from portal.audit.services import DatabaseAuditService
from portal.identity.auth import DatabaseAuthService, LoginPolicy, normalize_login
from portal.identity.models import AuthSession, Role, User, UserRole, UserState
from portal.identity.passwords import password_service_from_settings
from portal.onboarding.invitations import InvitationRefused, invitation_lifetime, send_invitation
from portal.outbox.letters import Letters
from portal.parties.licence import SeatRefused, claim_seat, parse_limit
from portal.parties.models import Membership, MembershipState, Party
from portal.scripts.common import db_session, load_settings


class CommandError(Exception):
    """A console mistake, reported as one line and exit status 2."""


def read_password(stdin=sys.stdin) -> str:
    if stdin.isatty():
        first = getpass.getpass("New password: ")
        if first != getpass.getpass("Repeat it: "):
            raise CommandError("The passwords do not match.")
        return first
    return stdin.readline().rstrip("\n")


def checked_password(passwords, login, stdin=sys.stdin) -> str:
    password = read_password(stdin)
    errors = passwords.strength_errors(password, login)
    if errors:
        raise CommandError(" ".join(e.interpolate() for e in errors))
    return password


def find_user(db, login) -> User:
    user = db.scalars(select(User).where(User.login == normalize_login(login))).first()
    if user is None:
        raise CommandError(f"No user with the login {login!r}.")
    return user


def create_user(db, passwords, args, stdin=sys.stdin):
    login = normalize_login(args.login)
    if not login or len(login) > 64:
        raise CommandError("A login has 1 to 64 characters.")
    if db.scalars(select(User).where(User.login == login)).first() is not None:
        raise CommandError(f"The login {login!r} is taken.")
    if args.party and not args.role:
        claim(db, args.settings, None)
    user = User(login=login, email=args.email, last_name=args.last_name or "",
                first_name=args.first_name or "", language=args.language,
                password_hash=passwords.hash(checked_password(passwords, login, stdin)))
    db.add(user)
    db.flush()
    for role in args.role or []:
        db.add(UserRole(user_id=user.id, role=role))
    party_ids = []
    for ref in args.party or []:
        party = db.get(Party, int(ref)) if ref.isdigit() else db.scalars(
            select(Party).where(Party.external_id == ref)).first()
        if party is None:
            raise CommandError(f"No party with id or accounting id {ref!r}.")
        db.add(Membership(user_id=user.id, party_id=party.id, state=MembershipState.active.value))
        party_ids.append(party.id)
    # The roles and parties it was given are in the entry: the web's role and membership changes are.
    db.add(AuditEntry(action="user.create", target=f"user:{user.id}",
                      detail={"via": "console", "roles": sorted(args.role or []), "party_ids": party_ids}))
    return f"Created user {login!r} (id {user.id})."


def set_password(db, passwords, args, stdin=sys.stdin):
    user = find_user(db, args.login)
    user.password_hash = passwords.hash(checked_password(passwords, user.login, stdin))
    DatabaseAuthService(db, passwords, LoginPolicy()).unlock(user)
    db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    db.add(AuditEntry(action="user.set_password", target=f"user:{user.id}", detail={"via": "console"}))
    return f"Password of {user.login!r} set; its sessions have ended."


def invite(db, passwords, args, stdin=sys.stdin):
    """The invitation e-mail, into the outbox (``portal-worker`` sends it): a link to choose the password."""
    user = find_user(db, args.login)
    lifetime = invitation_lifetime(args.settings)
    try:
        send_invitation(db, Letters.from_settings(args.settings), user, lifetime)
    except InvitationRefused as refused:
        raise CommandError(refused.message.interpolate()) from None
    db.add(AuditEntry(action="invitation.send", target=f"user:{user.id}",
                      detail={"via": "console", "email": user.email, "days": lifetime.days}))
    return (f"Invitation of {user.login!r} written to the outbox for {user.email} (portal-worker sends it); "
            f"its link works for {lifetime.days} days.")


def claim(db, settings, user_id):
    """A seat of the licence for a customer user about to be made or let in (None: a new one)."""
    try:
        claim_seat(db, parse_limit(settings), user_id)
    except SeatRefused as refused:
        raise CommandError(refused.message.interpolate()) from None


def set_state(state):
    def command(db, passwords, args, stdin=sys.stdin):
        user = find_user(db, args.login)
        if state == UserState.active and not user.roles and any(m.state == MembershipState.active
                                                                for m in user.memberships):
            claim(db, args.settings, user.id)
        user.state = state.value
        if state == UserState.blocked:
            db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
        else:
            DatabaseAuthService(db, passwords, LoginPolicy()).unlock(user)
        action = "user.block" if state == UserState.blocked else "user.unblock"
        db.add(AuditEntry(action=action, target=f"user:{user.id}", detail={"via": "console"}))
        return f"User {user.login!r} is now {state.value}."

    return command


def unlock(db, passwords, args, stdin=sys.stdin):
    """Lift a login's lock (``unlock LOGIN``) or an address's throttle (``unlock --address ADDR``)."""
    if (args.login is None) == (args.address is None):
        raise CommandError("Name either a login or --address ADDR.")
    auth = DatabaseAuthService(db, passwords, LoginPolicy())
    if args.login is not None:
        user = find_user(db, args.login)
        auth.unlock(user)
        db.add(AuditEntry(action="user.unlock", target=f"user:{user.id}", detail={"via": "console"}))
        return f"User {user.login!r} is unlocked: it may log in at once."
    try:
        address = str(ipaddress.ip_address(args.address.strip()))
    except ValueError:
        raise CommandError(f"{args.address!r} is not an IP address.") from None
    forgotten = auth.unlock_address(address)
    db.add(AuditEntry(action="address.unlock", target=f"address:{address}", detail={"via": "console"}))
    return f"{forgotten} failed logins from {address} forgotten: logins from it are accepted again."


def list_users(db, passwords, args, stdin=sys.stdin):
    rows = []
    for user in db.scalars(select(User).order_by(User.login)):
        roles = ",".join(sorted(r.role for r in user.roles)) or "-"
        rows.append(f"{user.id:>6}  {user.login:<24} {user.state:<8} {roles:<24} {user.full_name}")
    return "\n".join(rows) if rows else "No users."


def create_api_key(db, passwords, args, stdin=sys.stdin):
    """A new API key; its token is printed this once (only its hash is kept)."""
    try:
        key, token = make_api_key(db, args.name, args.scope)
    except ValueError as exc:
        raise CommandError(str(exc).capitalize() + ".") from None
    db.add(AuditEntry(action="api_key.create", target=f"api_key:{key.id}",
                      detail={"via": "console", "name": key.name, "scope": key.scope}))
    return (f"Created API key {key.name!r} ({key.scope}, id {key.id}). Its token is shown only now:\n{token}")


def create_party(db, passwords, args, stdin=sys.stdin):
    """A new party, audited as one made on the web is; its holding by number or accounting id."""
    name = (args.name or "").strip()
    if not name or len(name) > 255:
        raise CommandError("A party's name has 1 to 255 characters.")
    for option, value, most in (("--tax-id", args.tax_id, 32), ("--external-id", args.external_id, 64)):
        if value is not None and len(value) > most:
            raise CommandError(f"{option} has at most {most} characters.")
    values = {"name": name, "tax_id": args.tax_id or None, "external_id": args.external_id or None,
              "address": args.address or None, "parent": args.parent, "group_ids": ()}
    try:
        party = save_party(db, DatabaseAuditService(db), values, via="console")
    except SettingRefused as refused:
        raise CommandError(refused.message.interpolate()) from None
    return f"Created party {party.name!r} (id {party.id})."


def build_parser():
    parser = argparse.ArgumentParser(prog="portal-admin", description="Manage portal users.")
    parser.add_argument("config_uri", help="the .ini file, e.g. development.ini")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create a user (the password is prompted for)")
    create.add_argument("login")
    create.add_argument("--email")
    create.add_argument("--first-name")
    create.add_argument("--last-name")
    create.add_argument("--language", choices=["en", "ru"])
    create.add_argument("--role", action="append", choices=[r.value for r in Role])
    create.add_argument("--party", action="append", help="party id or accounting id to bind to")
    create.set_defaults(func=create_user)
    for name, func, text in (
        ("set-password", set_password, "set a user's password"),
        ("invite", invite, "e-mail a user the link to choose a password"),
        ("block", set_state(UserState.blocked), "block a user and end its sessions"),
        ("unblock", set_state(UserState.active), "unblock a user"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("login")
        p.set_defaults(func=func)
    lift = sub.add_parser("unlock", help="unlock a login locked by failed logins, or an address (--address)")
    lift.add_argument("login", nargs="?")
    lift.add_argument("--address", help="a client address refused after too many failed logins")
    lift.set_defaults(func=unlock)
    sub.add_parser("list-users", help="list every user").set_defaults(func=list_users)
    api_key = sub.add_parser("create-api-key", help="create an API key (its token is printed once)")
    api_key.add_argument("--name", required=True, help="what the key is for, e.g. the accounting system")
    api_key.add_argument("--scope", choices=[s.value for s in ApiScope], default=ApiScope.read.value)
    api_key.set_defaults(func=create_api_key)
    party = sub.add_parser("create-party", help="create a party (a customer company)")
    party.add_argument("name")
    party.add_argument("--tax-id")
    party.add_argument("--external-id", help="its id in the accounting system (unique)")
    party.add_argument("--parent", help="the holding it belongs to: its id or accounting id")
    party.add_argument("--address")
    party.set_defaults(func=create_party)
    return parser


def main(argv=None, stdin=sys.stdin):
    args = build_parser().parse_args(argv)
    settings = args.settings = load_settings(args.config_uri)
    try:
        with db_session(settings) as db:
            message = args.func(db, password_service_from_settings(settings), args, stdin)
    except CommandError as exc:
        print(f"portal-admin: {exc}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
