"""lower() folds every script on SQLite as on PostgreSQL: list searches match Cyrillic capitals."""
from sqlalchemy import func, select

from portal.db import get_engine


def test_lower_folds_cyrillic_on_sqlite(tmp_path):
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path}/lower.sqlite"})
    with engine.connect() as conn:
        assert conn.scalar(select(func.lower("Частичная ОПЛАТА Ё"))) == "частичная оплата ё"
        assert conn.scalar(select(func.lower(None))) is None
    engine.dispose()


def test_a_search_with_cyrillic_capitals_matches(dbsession):
    assert dbsession.scalar(select(func.lower("Счёт").like("%счёт%"))) in (1, True)
