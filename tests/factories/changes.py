"""Change requests made through the workflow engine, so their history is what the portal would record."""
from portal.changes.models import ChangeRequest
from portal.changes.workflow import CHANGE_REQUEST
from portal.workflows.engine import TransitionContext

# Values a party of the tests starts with: every field filled, so a change is visible.
PARTY_VALUES = {
    "billing_address": "Moscow, Lenina 1",
    "contact_person": "Ivan Petrov",
    "email": "billing@party.test",
    "phone": "+7 495 000-00-01",
    "bank_name": "PJSC Sberbank",
    "bank_bic": "044525225",
    "bank_account": "40702810200000000001",  # its control digit matches the BIC
    "invoice_channel": "email",
    "invoice_email": "invoices@party.test",
}


def _everything(permission):
    return True


def change_request(session, party, author, changes, *, submit=True):
    """A change request of ``party`` by ``author``: a draft, or (``submit``) submitted for approval."""
    item = ChangeRequest(party_id=party.id, author_id=author.id, changes=dict(changes), previous={})
    CHANGE_REQUEST.start(item, TransitionContext(session=session, actor_id=author.id))
    if submit:
        CHANGE_REQUEST.apply(item, "submit", TransitionContext(session=session, actor_id=author.id),
                             permits=_everything)
    session.flush()
    return item
