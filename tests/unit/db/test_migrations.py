"""The schema that migrations build is the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.db.meta import Base, include_object
from tests.conftest import alembic_config


def test_migrations_at_head_match_the_models(migrated_engine):
    with migrated_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_database_is_at_the_single_head(migrated_engine, db_url):
    script = ScriptDirectory.from_config(alembic_config(db_url))
    heads = script.get_heads()
    assert len(heads) == 1, "migrations have branched; merge them"
    with migrated_engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_migrations_downgrade_and_upgrade_cleanly(tmp_path):
    """Every migration can be undone and redone (checked on a scratch SQLite file)."""
    from sqlalchemy import create_engine, inspect

    from alembic import command

    url = f"sqlite:///{tmp_path}/roundtrip.sqlite"
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert "users" in inspect(engine).get_table_names()
    engine.dispose()
