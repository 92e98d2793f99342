"""Registrations and requests to act for a company, as the onboarding services leave them."""
from datetime import timedelta

from portal.db.meta import utcnow
from portal.onboarding.models import MembershipRequest, Registration
from tests.factories import UserFactory


def registered(dbsession, *, company="Registered Co", tax_id=None, customer_number=None, state="requested",
               completed=True, **user) -> MembershipRequest:
    """A person who registered (both confirmed unless ``completed`` is False) and their request to act
    for ``company``, in ``state``."""
    now = utcnow()
    user.setdefault("phone", "+79120000001")
    person = UserFactory(**user)
    dbsession.add(Registration(user_id=person.id, created_at=now - timedelta(hours=1), ip="192.0.2.10",
                               email_confirmed_at=now if completed else None,
                               phone_confirmed_at=now if completed else None, completed_at=now if completed else None))
    request = MembershipRequest(user_id=person.id, company_name=company, tax_id=tax_id, customer_number=customer_number,
                                state=state, created_at=now - timedelta(minutes=30))
    dbsession.add(request)
    dbsession.flush()
    return request
