"""Self-registration and the back office's binding (the services behind ``/register``,
``/account/memberships`` and ``/backoffice/registrations/``).

A person registers with a name, an e-mail address, a mobile number, a password and the company
they act for (its name and tax id, or a customer number). The address is confirmed by a link, the
number by an SMS code (phones.py); the password waits on the registration until both are, so the
login works only then. The request to act for the company then waits for the back office, which
checks that the person belongs to it and binds them to its party (a membership, through the
administration's ``grant_party``, which claims the person's seat of the licence) or
rejects the request with a reason; the person hears of it either way (kind ``account``). A
registered user asks to act for further companies (a holding's) the same way.

An address already in use gets the same answer as a new one, and its owner an e-mail saying so
(with a fresh link when the owner's own registration was never finished), so the form tells
nobody which addresses have accounts.
"""
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, select

from portal.admin.access import grant_party
from portal.admin.services import SettingRefused
from portal.db.meta import utcnow
from portal.i18n import _
from portal.identity.models import User, UserRole
from portal.onboarding.models import MembershipRequest, MembershipRequestState, Registration, TokenPurpose
from portal.onboarding.tokens import issue_token, use_token
from portal.parties.models import Membership, MembershipState, Party
from portal.views.pagination import escape_like

CONFIRMATION_LIFETIME = timedelta(hours=48)
SUGGESTIONS = 10
SEARCH_RESULTS = 20


class RegistrationRefused(Exception):
    """A request the back office or a person cannot make as it stands; ``message`` says why."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def confirm_path(token: str) -> str:
    return f"/register/confirm?token={token}"  # URL-safe already: secrets.token_urlsafe


def owner_of(db, email: str) -> User | None:
    """The user whose e-mail address or login ``email`` is (compared without case)."""
    return db.scalars(select(User).where(or_(func.lower(User.email) == email, User.login == email))
                      .order_by(User.id).limit(1)).first()


def register(db, letters, passwords, values: dict, *, ip, language, now: datetime | None = None) -> User | None:
    """A new registration from ``values`` (the form's), or, for an address in use, the e-mail to its
    owner; the new user, or None. Both ways cost one password hash, so they take as long."""
    now = now or utcnow()
    email = values["email"].strip().lower()
    password_hash = passwords.hash(values["password"])
    owner = owner_of(db, email)
    if owner is not None:
        tell_owner(db, letters, owner)
        return None
    user = User(login=email, email=email, phone=values["phone"], last_name=values["last_name"],
                first_name=values["first_name"], middle_name=values.get("middle_name") or "", language=language,
                created_at=now)
    db.add(user)
    db.flush()
    db.add(Registration(user_id=user.id, ip=ip, password_hash=password_hash, created_at=now))
    db.add(MembershipRequest(user_id=user.id, company_name=values["company_name"], tax_id=values.get("tax_id"),
                             customer_number=values.get("customer_number"), created_at=now,
                             state=MembershipRequestState.unconfirmed.value))
    db.flush()
    send_confirmation(db, letters, user)
    return user


def send_confirmation(db, letters, user: User) -> None:
    """The e-mail with the link that confirms ``user``'s address (earlier links die)."""
    token = issue_token(db, user, TokenPurpose.email_confirmation, CONFIRMATION_LIFETIME)
    request = db.scalars(select(MembershipRequest).where(MembershipRequest.user_id == user.id)
                         .order_by(MembershipRequest.id).limit(1)).first()
    letter = letters.write("registration-confirm", user, url=letters.url(confirm_path(token)),
                           company=request.company_name if request else "",
                           hours=str(int(CONFIRMATION_LIFETIME.total_seconds() // 3600)))
    letters.send(db, user, letter.subject, letter.body, party_id=None, topic="registration.confirm")


def tell_owner(db, letters, owner: User) -> None:
    """Someone registered with ``owner``'s address: a fresh link when the owner's own registration is
    unfinished, else the e-mail saying an account has it."""
    if not owner.email:
        return
    registration = db.get(Registration, owner.id)
    if registration is not None and registration.completed_at is None:
        send_confirmation(db, letters, owner)
        return
    letter = letters.write("registration-taken", owner, login=owner.login, url=letters.url("/login"))
    letters.send(db, owner, letter.subject, letter.body, party_id=None, topic="registration.taken")


def confirm_email(db, token: str, now: datetime | None = None) -> Registration | None:
    """Use the link's token: the address is confirmed; the registration, or None when the token cannot
    be used (forged, used, expired) or its registration is finished."""
    now = now or utcnow()
    record = use_token(db, token, TokenPurpose.email_confirmation, now=now)
    registration = db.get(Registration, record.user_id) if record is not None else None
    if registration is None or registration.completed_at is not None:
        return None
    registration.email_confirmed_at = registration.email_confirmed_at or now
    return registration


def unfinished(db, user_id) -> Registration | None:
    """The registration of ``user_id`` whose address is confirmed and which is not complete yet."""
    registration = db.get(Registration, user_id) if user_id else None
    if registration is None or registration.email_confirmed_at is None or registration.completed_at is not None:
        return None
    return registration


def complete(db, audit, registration: Registration, *, phone_confirmed: bool, now: datetime | None = None) -> None:
    """Both confirmed (or the phone, in a deployment that sends no SMS, left as typed): the password
    becomes the login's, and the request goes to the back office."""
    now = now or utcnow()
    user = registration.user
    if phone_confirmed:
        registration.phone_confirmed_at = now
    registration.completed_at = now
    user.password_hash, registration.password_hash = registration.password_hash, None
    for request in db.scalars(select(MembershipRequest).where(
            MembershipRequest.user_id == user.id, MembershipRequest.state == MembershipRequestState.unconfirmed)):
        request.state = MembershipRequestState.requested.value
    db.flush()
    audit.record("registration.complete", f"user:{user.id}", as_user=user.id, phone_confirmed=phone_confirmed)


def prune_abandoned(db, days: int, now: datetime | None = None) -> int:
    """Remove the registrations begun more than ``days`` ago and never finished, with their users
    (never able to log in: the password waits on the registration), unless staff gave such a user
    a role or a membership meanwhile; how many. Their address is free again for a new registration."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    abandoned = select(Registration.user_id).where(
        Registration.completed_at.is_(None), Registration.created_at < cutoff,
        ~exists().where(UserRole.user_id == Registration.user_id),
        ~exists().where(Membership.user_id == Registration.user_id))
    ids = db.scalars(abandoned).all()
    if ids:
        db.execute(delete(User).where(User.id.in_(ids)).execution_options(synchronize_session=False))
    return len(ids)


def request_membership(db, user: User, values: dict, now: datetime | None = None) -> MembershipRequest:
    """A logged-in user asks to act for one more company; refused while the same one waits."""
    now = now or utcnow()
    same = [MembershipRequest.company_name == values["company_name"]]
    for column in ("tax_id", "customer_number"):
        if values.get(column):
            same.append(getattr(MembershipRequest, column) == values[column])
    waiting = db.scalars(select(MembershipRequest.id).where(
        MembershipRequest.user_id == user.id, MembershipRequest.state == MembershipRequestState.requested,
        or_(*same)).limit(1)).first()
    if waiting is not None:
        raise RegistrationRefused(_("A request of yours for this company is already waiting for the back office."))
    request = MembershipRequest(user_id=user.id, company_name=values["company_name"], tax_id=values.get("tax_id"),
                                customer_number=values.get("customer_number"), created_at=now,
                                state=MembershipRequestState.requested.value)
    db.add(request)
    db.flush()
    return request


def requests_of(db, user_id) -> list[MembershipRequest]:
    """A user's requests to act for companies, the newest first."""
    return db.scalars(select(MembershipRequest).where(MembershipRequest.user_id == user_id)
                      .order_by(MembershipRequest.created_at.desc(), MembershipRequest.id.desc())).all()


def suggested_parties(db, request: MembershipRequest) -> list[Party]:
    """The parties the request names by tax id or customer number (the party's accounting id)."""
    named = []
    if request.tax_id:
        named.append(Party.tax_id == request.tax_id)
    if request.customer_number:
        named.append(Party.external_id == request.customer_number)
    if not named:
        return []
    return db.scalars(select(Party).where(or_(*named)).order_by(Party.name, Party.id).limit(SUGGESTIONS)).all()


def search_parties(db, q: str) -> list[Party]:
    """Parties whose name, tax id or accounting id holds ``q``, for a clerk looking beyond the suggestions."""
    pattern = "%" + escape_like(q.lower()) + "%"
    return db.scalars(select(Party).where(or_(
        func.lower(Party.name).like(pattern, escape="\\"), Party.tax_id.like(pattern, escape="\\"),
        func.lower(Party.external_id).like(pattern, escape="\\"),
    )).order_by(Party.name, Party.id).limit(SEARCH_RESULTS)).all()


def act_for(db, audit, user: User, party: Party, *, seats) -> None:
    """An active membership of ``user`` in ``party``, through the administration's ``grant_party``
    (which claims the user's seat of the licence, ``seats`` being its limit); nothing to do when
    there is one."""
    member = db.scalars(select(Membership.id).where(Membership.user_id == user.id, Membership.party_id == party.id,
                                                    Membership.state == MembershipState.active)).first()
    if member is None:
        try:
            grant_party(db, audit, user, str(party.id), seats=seats)
        except SettingRefused as refused:
            raise RegistrationRefused(refused.message, refused.field) from None


def _locked_waiting(db, request: MembershipRequest) -> MembershipRequest:
    """The request under a row lock, refused unless it still waits (two clerks deciding at once)."""
    db.execute(select(MembershipRequest.id).where(MembershipRequest.id == request.id).with_for_update())
    db.refresh(request)
    if request.state != MembershipRequestState.requested:
        who = request.decided_by.full_name if request.decided_by is not None else "—"
        raise RegistrationRefused(_("This request has already been decided, by ${name}.", mapping={"name": who}))
    return request


def _decided(request, state, actor_id, now):
    request.state, request.decided_by_id, request.decided_at = state.value, actor_id, now


def bind(db, audit, letters, request: MembershipRequest, party: Party, *, actor_id, seats,
         now: datetime | None = None) -> None:
    """Bind the person to ``party``: an active membership (the administration's ``grant_party``,
    which claims a seat of the licence, ``seats`` its limit), the request bound, the person told."""
    now = now or utcnow()
    request = _locked_waiting(db, request)
    user = request.user
    act_for(db, audit, user, party, seats=seats)
    _decided(request, MembershipRequestState.bound, actor_id, now)
    request.party_id = party.id
    db.flush()
    audit.record("registration.bind", f"user:{user.id}", request=request.id, party_id=party.id, party=party.name,
                 company=request.company_name)
    tell(db, letters, user, "membership-bound", party_id=party.id, topic="registration.bind", party=party.name,
         login=user.login, url=letters.url(f"/p/{party.id}/"))


def reject(db, audit, letters, request: MembershipRequest, reason: str, *, actor_id,
           now: datetime | None = None) -> None:
    """Reject the request with ``reason`` (the person reads it)."""
    now = now or utcnow()
    request = _locked_waiting(db, request)
    _decided(request, MembershipRequestState.rejected, actor_id, now)
    request.reason = reason
    db.flush()
    audit.record("registration.reject", f"user:{request.user_id}", request=request.id,
                 company=request.company_name, reason=reason)
    tell(db, letters, request.user, "membership-rejected", party_id=None, topic="registration.reject",
         company=request.company_name, reason=reason)


def tell(db, letters, user: User, letter: str, *, party_id, topic, **values) -> None:
    """News of ``user``'s own account, by the channel they chose for it."""
    channel = letters.account_channel(db, user)
    if channel is not None:
        letters.deliver(db, user, channel, letters.write(letter, user, **values), party_id=party_id, topic=topic)
