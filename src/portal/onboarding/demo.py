"""The demo's registrations and notification choices: people waiting for the back office (one whose
tax id names Yug Vodokanal, one of a company the portal does not know), one rejected with its reason,
one who has not confirmed the phone yet, ``trans`` asking to act for Sever Energo too; ``vostok``
getting news of its requests by SMS and ``yug`` its messages in the portal only; the head's moves in
the portal only by default. Each is found by its login first, so a second run adds nothing."""
from datetime import timedelta

from sqlalchemy import select

from portal.db.meta import utcnow
from portal.identity.models import User
from portal.notifications.models import NotificationPreference, RoleNotificationDefault
from portal.onboarding.models import MembershipRequest, MembershipRequestState, Registration

# e-mail (the login), last, first, middle, language, phone, company, tax id, customer number, state, reason
REGISTRATIONS = [
    ("anna.morozova@yug-vodokanal.example", "Морозова", "Анна", "Сергеевна", "ru", "+79185550101",
     "Юг Водоканал", "2310000005", None, MembershipRequestState.requested, None),
    ("d.orlov@orlov-sons.example", "Orlov", "Dmitry", "", "en", "+79035550202",
     "Orlov & Sons", "6100000009", None, MembershipRequestState.requested, None),
    ("ivan.k@mail.example", "Kuznetsov", "Ivan", "", "en", "+79265550303",
     "Vostok Logistics", None, "VOSTOK-999", MembershipRequestState.rejected,
     "Vostok Logistics does not know you yet: ask your manager there to write to us, then register again."),
    ("nina.belova@mail.example", "Belova", "Nina", "", "en", "+79615550404",
     "Yug Vodokanal", None, "DEMO-YUG", MembershipRequestState.unconfirmed, None),
]
# A demo customer asking to act for one more company of its holding.
FURTHER = ("trans", "Sever Energo", "7701000002", "DEMO-SEVER-ENERGO")
CHOICES = [("vostok", "work", "sms"), ("yug", "messages", "portal")]
ROLE_DEFAULTS = [("head", "work", "portal")]


def load_demo_registrations(db, passwords, password: str) -> None:
    now = utcnow()
    for (email, last, first, middle, language, phone, company, tax_id, number, state,
         reason) in REGISTRATIONS:
        if db.scalars(select(User.id).where(User.login == email)).first() is not None:
            continue
        complete = state != MembershipRequestState.unconfirmed
        user = User(login=email, email=email, last_name=last, first_name=first, middle_name=middle,
                    language=language, phone=phone, password_hash=passwords.hash(password) if complete else None,
                    created_at=now - timedelta(days=2))
        db.add(user)
        db.flush()
        db.add(Registration(user_id=user.id, created_at=now - timedelta(days=2), ip="192.0.2.50",
                            email_confirmed_at=now - timedelta(days=2),
                            phone_confirmed_at=now - timedelta(days=1) if complete else None,
                            completed_at=now - timedelta(days=1) if complete else None,
                            password_hash=None if complete else passwords.hash(password)))
        db.add(MembershipRequest(user_id=user.id, company_name=company, tax_id=tax_id, customer_number=number,
                                 state=state.value, reason=reason, created_at=now - timedelta(days=1),
                                 decided_at=now - timedelta(hours=3) if reason else None))
    login, company, tax_id, number = FURTHER
    user = db.scalars(select(User).where(User.login == login)).first()
    if user is not None and db.scalars(select(MembershipRequest.id).where(
            MembershipRequest.user_id == user.id)).first() is None:
        db.add(MembershipRequest(user_id=user.id, company_name=company, tax_id=tax_id, customer_number=number,
                                 state=MembershipRequestState.requested.value, created_at=now - timedelta(hours=5)))
    for login, kind, channel in CHOICES:
        user = db.scalars(select(User).where(User.login == login)).first()
        if user is not None and db.get(NotificationPreference, (user.id, kind)) is None:
            db.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
    for role, kind, channel in ROLE_DEFAULTS:
        if db.get(RoleNotificationDefault, (role, kind)) is None:
            db.add(RoleNotificationDefault(role=role, kind=kind, channel=channel))
    db.flush()
