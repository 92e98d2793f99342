"""E-mail or SMS to a company's users when staff attach a document to it (it also shows as new on the
company's page): the letter ``document`` in each one's language, with the document's title in it and
the link to it. Who gets one, by which channel, is outbox/letters.py's rule for the kind ``documents``:
the company's active members who chose e-mail or SMS for it."""
from sqlalchemy import select

from portal.documents.services.library import title_in
from portal.notifications.kinds import DOCUMENTS
from portal.outbox.letters import one_line
from portal.parties.models import Membership, MembershipState

TOPIC = "document.attach"


def announce(db, letters, document, party) -> None:
    """Tell ``party``'s users that ``document`` was attached to it."""
    members = db.scalars(select(Membership.user_id).where(Membership.party_id == party.id,
                                                          Membership.state == MembershipState.active)).all()
    url = letters.url(f"/p/{party.id}/documents/{document.id}/")
    for user, channel in letters.readers(db, members, party.id, DOCUMENTS):
        letter = letters.write("document", user, title=one_line(title_in(document, letters.language(user))),
                               party=one_line(party.name), url=url)
        letters.deliver(db, user, channel, letter, party_id=party.id, topic=TOPIC)
