"""``/p/<id>/`` finds its party by a statement built once, and anything else is not found."""
import pytest
from sqlalchemy.orm import Session

from portal.parties.resources import PartyContainer
from tests.factories import PartyFactory


def test_a_url_finds_its_party_without_building_a_select_and_nothing_else(app, dbsession, monkeypatch):
    party = PartyFactory(name="Looked Up Ltd")
    dbsession.flush()
    dbsession.expunge_all()  # as on a new request: the party is not in the session yet
    monkeypatch.setattr(Session, "get", lambda *args, **kwargs: pytest.fail("Session.get built its select"))
    container = PartyContainer(None, dbsession, app.registry)
    found = container[str(party.id)]
    assert found.party.name == "Looked Up Ltd" and found.__name__ == str(party.id) and found.__parent__ is container
    for key in (str(party.id + 1000), "0", "-1", "x", str(2**63)):
        with pytest.raises(KeyError):
            container[key]
