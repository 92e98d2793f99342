"""``among``: a column is one of a list of values, in one parameter on PostgreSQL (``= ANY``), an
``IN (...)`` elsewhere; the same rows either way, none for an empty list."""
from sqlalchemy import select

from portal.db.among import among, among_pairs
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


def test_the_rows_whose_two_columns_are_one_of_the_pairs(dbsession):
    parties = [PartyFactory(external_id=f"PAIRS-{n}", name=f"Pairs {n}") for n in range(4)]
    dbsession.flush()
    wanted = [("PAIRS-1", "Pairs 1"), ("PAIRS-2", "Pairs 3"), ("PAIRS-3", "Pairs 3"), ("PAIRS-NONE", "O'Brien \\ %")]
    pairs = among_pairs(dbsession, (Party.external_id, Party.name), wanted)
    with statements(dbsession) as seen:
        found = dbsession.scalars(select(Party.id).where(pairs)).all()
    assert sorted(found) == sorted([parties[1].id, parties[3].id])  # PAIRS-2 is not named "Pairs 3"
    if dbsession.get_bind().dialect.name == "postgresql":
        assert "unnest(" in seen[0] and seen[0].count("%(") == 2  # two arrays, whatever the number of pairs
    assert dbsession.scalars(select(Party.id).where(
        among_pairs(dbsession, (Party.external_id, Party.name), [("PAIRS-0", "Pairs 0")]))).all() == [parties[0].id]
