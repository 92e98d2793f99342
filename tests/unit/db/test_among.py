"""``among``: a column is one of a list of values, in one parameter on PostgreSQL (``= ANY``), an
``IN (...)`` elsewhere; the same rows either way, none for an empty list."""
from sqlalchemy import select

from portal.db.among import among
from portal.parties.models import Party
from tests.conftest import statements
from tests.factories import PartyFactory


def test_the_rows_whose_column_is_one_of_the_values(dbsession):
    parties = [PartyFactory(external_id=f"AMONG-{n}") for n in range(5)]
    dbsession.flush()
    wanted = ["AMONG-1", "AMONG-3", "AMONG-NONE", "O'Brien \\ %"]
    with statements(dbsession) as seen:
        found = dbsession.scalars(select(Party.id).where(among(dbsession, Party.external_id, wanted))).all()
    assert sorted(found) == sorted([parties[1].id, parties[3].id])
    if dbsession.get_bind().dialect.name == "postgresql":
        assert "= ANY (" in seen[0] and seen[0].count("%(") == 1  # one parameter, whatever the number of values
    else:
        assert " IN (" in seen[0]
    assert dbsession.scalars(select(Party.id).where(among(dbsession, Party.id, [parties[0].id, 0]))).all() == [
        parties[0].id]
    assert dbsession.scalars(select(Party.id).where(among(dbsession, Party.external_id, []))).all() == []
