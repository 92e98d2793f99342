"""Upgrading an existing SQLite database keeps every row: a migration that rebuilds a table (batch
mode: copy, drop, rename) must not cascade the drop into the rows that reference it."""
from sqlalchemy import create_engine, text

from alembic import command
from tests.conftest import alembic_config

BEFORE = "a7b6c5d4e3f2"  # the last revision before the migrations that rebuild users and memberships


def test_rebuilding_users_keeps_their_roles_memberships_and_sessions(tmp_path):
    url = f"sqlite:///{tmp_path}/upgrade.sqlite"
    cfg = alembic_config(url)
    command.upgrade(cfg, BEFORE)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, login, last_name, first_name, middle_name, state, failed_logins, "
                          "created_at, email_notifications) VALUES (1, 'u', '', '', '', 'active', 0, '2026-01-01', 1)"))
        conn.execute(text("INSERT INTO parties (id, name, created_at) VALUES (1, 'P', '2026-01-01')"))
        conn.execute(text("INSERT INTO memberships (user_id, party_id, state, created_at) "
                          "VALUES (1, 1, 'active', '2026-01-01')"))
        conn.execute(text("INSERT INTO user_roles (user_id, role) VALUES (1, 'admin')"))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("users", "memberships", "user_roles")]
    engine.dispose()
    assert counts == [1, 1, 1]
