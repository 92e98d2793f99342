"""A document attached to a company is news for its users (kind ``documents``): each gets it by the
channel they chose, in their language, with the document's title and link; nobody of another company."""
import pytest
from sqlalchemy import select

from portal.notifications.models import NotificationPreference
from portal.outbox.models import OutboxMessage


@pytest.fixture
def clerk(library, as_user):
    return as_user(library.clerk)


def attach(clerk, document, party):
    form = clerk.get(f"/documents/{document.id}/").forms["attach-document"]
    form["party"] = party.external_id
    form.submit("submit", status=303)


def rows(dbsession):
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == "document.attach")
                             .order_by(OutboxMessage.user_id)).all()


def test_the_companys_users_hear_of_an_attached_document_as_each_chose(library, clerk, dbsession):
    library.colleague.language, library.colleague.phone = "ru", "+79161112233"
    dbsession.add(NotificationPreference(user_id=library.colleague.id, kind="documents", channel="sms"))
    attach(clerk, library.docs.public, library.mine)
    by_user = {row.user_id: row for row in rows(dbsession)}
    assert set(by_user) == {library.reader.id, library.colleague.id}  # not the stranger, nor staff
    mail = by_user[library.reader.id]
    assert mail.subject == "New document for Reader Energo: “Supply contract template”"
    assert f"http://localhost:6543/p/{library.mine.id}/documents/{library.docs.public.id}/" in mail.body
    sms = by_user[library.colleague.id]
    assert (sms.channel, sms.recipient) == ("sms", "+79161112233")
    assert "Типовой договор поставки" in sms.body  # the title in the reader's language


def test_off_means_none(library, clerk, dbsession):
    for user in (library.reader, library.colleague):
        dbsession.add(NotificationPreference(user_id=user.id, kind="documents", channel="off"))
    attach(clerk, library.docs.form, library.mine)
    assert rows(dbsession) == []
