"""Migration f8a7b6c5d4e3 on data: "no e-mails" becomes "in the portal only" for the kinds the old switch
covered; users keep everything that refers to them (SQLite drops the column in place, never rebuilding
the table); outbox rows become e-mails; the way back restores the switch."""
from sqlalchemy import create_engine, text

from alembic import command
from portal.db import get_engine
from tests.conftest import alembic_config


def test_the_e_mail_switch_becomes_the_choice_per_kind_and_back(tmp_path):
    url = f"sqlite:///{tmp_path}/notifications.sqlite"
    cfg = alembic_config(url)
    command.upgrade(cfg, "e7f6a5b4c3d2")
    engine = get_engine({"sqlalchemy.url": url})  # foreign keys on, as the portal's engine has them
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, login, last_name, first_name, middle_name, state, failed_logins, "
                          "created_at, email_notifications) VALUES (1, 'quiet', '', '', '', 'active', 0, "
                          "'2026-01-01', 0), (2, 'loud', '', '', '', 'active', 0, '2026-01-01', 1)"))
        conn.execute(text("INSERT INTO parties (id, name, created_at) VALUES (1, 'P', '2026-01-01')"))
        conn.execute(text("INSERT INTO memberships (id, user_id, party_id, state, created_at) "
                          "VALUES (1, 1, 1, 'active', '2026-01-01')"))
        conn.execute(text("INSERT INTO outbox (id, created_at, topic, recipient, subject, body, state, attempts, "
                          "next_attempt_at) VALUES (1, '2026-01-01', '', 'a@b.test', 's', 'b', 'pending', 0, "
                          "'2026-01-01')"))
    engine.dispose()
    command.upgrade(cfg, "f8a7b6c5d4e3")
    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as conn:
        preferences = conn.execute(text("SELECT user_id, kind, channel FROM notification_preferences "
                                        "ORDER BY kind")).all()
        assert conn.execute(text("SELECT count(*) FROM memberships")).scalar() == 1
        assert conn.execute(text("SELECT channel FROM outbox")).scalar() == "email"
    assert preferences == [(1, "messages", "portal"), (1, "news", "portal"), (1, "work", "portal")]
    engine.dispose()
    command.downgrade(cfg, "e7f6a5b4c3d2")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT login, email_notifications FROM users")).all()) == {"quiet": 0, "loud": 1}
        assert conn.execute(text("SELECT count(*) FROM memberships")).scalar() == 1
    engine.dispose()
