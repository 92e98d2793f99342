"""Console scripts: initialize_portal_db, portal-demo (idempotent), portal-admin."""
import io

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from portal.identity.models import User, UserRole
from portal.identity.passwords import Argon2PasswordService
from portal.parties.models import Contract, Membership, Party
from portal.scripts import admin, demo, initialize_db

FAST = "portal.argon2.time_cost = 1\nportal.argon2.memory_cost = 8\nportal.argon2.parallelism = 1\n"


@pytest.fixture
def ini(tmp_path, monkeypatch):
    from tests.conftest import HERE

    monkeypatch.delenv("PORTAL_DB_URL", raising=False)
    text = open(f"{HERE}/development.ini").read()
    text = text.replace("sqlalchemy.url = sqlite:///%(here)s/var/portal.sqlite",
                        f"sqlalchemy.url = sqlite:///{tmp_path}/scripts.sqlite\n{FAST}")
    text = text.replace("script_location = %(here)s/alembic", f"script_location = {HERE}/alembic")
    path = tmp_path / "test.ini"
    path.write_text(text)
    assert initialize_db.main([str(path)]) == 0
    return path


def db(tmp_path):
    return Session(create_engine(f"sqlite:///{tmp_path}/scripts.sqlite"))


def counts(session):
    return {m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (Party, Contract, User, Membership, UserRole)}


def test_demo_is_idempotent_and_complete(ini, tmp_path):
    assert demo.main([str(ini)]) == 0
    with db(tmp_path) as session:
        first = counts(session)
        holding_user = session.scalars(select(User).where(User.login == "holding")).one()
        parties = session.scalars(select(Party).join(Membership).where(Membership.user_id == holding_user.id)).all()
        assert len(parties) >= 2
        children = session.scalars(select(Party).where(Party.parent_id.is_not(None))).all()
        assert len({c.parent_id for c in children}) == 1 and len(children) == 2
        roles = set(session.scalars(select(UserRole.role)))
        assert roles == {"backoffice", "service", "manager", "head", "admin"}
    assert demo.main([str(ini)]) == 0
    with db(tmp_path) as session:
        assert counts(session) == first
        assert first["Party"] >= 3


def test_demo_password_matches_readme(ini, tmp_path):
    from tests.conftest import HERE

    demo.main([str(ini)])
    readme = open(f"{HERE}/README.md").read()
    assert demo.DEMO_PASSWORD in readme
    for login, *_ in demo.USERS:
        assert f"`{login}`" in readme
    with db(tmp_path) as session:
        user = session.scalars(select(User).where(User.login == "energo")).one()
        assert Argon2PasswordService().verify(user.password_hash, demo.DEMO_PASSWORD)


def test_admin_create_set_block_unblock_list(ini, tmp_path, capsys):
    demo.main([str(ini)])
    stdin = io.StringIO("Fresh-password-11\n")
    assert admin.main([str(ini), "create-user", "newbie", "--email", "n@example.test",
                       "--role", "service", "--party", "DEMO-YUG"], stdin=stdin) == 0
    with db(tmp_path) as session:
        user = session.scalars(select(User).where(User.login == "newbie")).one()
        assert [r.role for r in user.roles] == ["service"]
        assert Argon2PasswordService().verify(user.password_hash, "Fresh-password-11")
    assert admin.main([str(ini), "set-password", "newbie"], stdin=io.StringIO("Second-password-22\n")) == 0
    assert admin.main([str(ini), "block", "newbie"]) == 0
    with db(tmp_path) as session:
        user = session.scalars(select(User).where(User.login == "newbie")).one()
        assert user.state == "blocked"
        assert Argon2PasswordService().verify(user.password_hash, "Second-password-22")
    assert admin.main([str(ini), "unblock", "newbie"]) == 0
    capsys.readouterr()
    assert admin.main([str(ini), "list-users"]) == 0
    listing = capsys.readouterr().out
    assert "newbie" in listing and "active" in listing


def test_admin_refuses_bad_input_and_changes_nothing(ini, tmp_path, capsys):
    demo.main([str(ini)])
    with db(tmp_path) as session:
        before = counts(session)
    assert admin.main([str(ini), "create-user", "weakling"], stdin=io.StringIO("short\n")) == 2
    assert admin.main([str(ini), "create-user", "energo"], stdin=io.StringIO("Fresh-password-11\n")) == 2
    assert admin.main([str(ini), "create-user", "orphan", "--party", "NO-SUCH"],
                      stdin=io.StringIO("Fresh-password-11\n")) == 2
    assert admin.main([str(ini), "block", "ghost"]) == 2
    err = capsys.readouterr().err
    assert "at least 10 characters" in err and "taken" in err and "NO-SUCH" in err and "ghost" in err
    with db(tmp_path) as session:
        assert counts(session) == before


def test_initialize_db_creates_the_sqlite_folder_a_fresh_clone_lacks(tmp_path, monkeypatch):
    """A clone has no var/ (git keeps no empty folder): the first command must make it."""
    from tests.conftest import HERE

    monkeypatch.delenv("PORTAL_DB_URL", raising=False)
    text = open(f"{HERE}/development.ini").read()
    text = text.replace("sqlalchemy.url = sqlite:///%(here)s/var/portal.sqlite",
                        f"sqlalchemy.url = sqlite:///{tmp_path}/var/portal.sqlite")
    text = text.replace("script_location = %(here)s/alembic", f"script_location = {HERE}/alembic")
    path = tmp_path / "fresh.ini"
    path.write_text(text)
    assert not (tmp_path / "var").exists()
    assert initialize_db.main([str(path)]) == 0
    assert (tmp_path / "var" / "portal.sqlite").is_file()


def test_admin_unlocks_a_login_or_an_address_audited(ini, tmp_path, capsys):
    from datetime import timedelta

    from portal.audit.models import AuditEntry
    from portal.db.meta import utcnow
    from portal.identity.models import LoginFailure

    demo.main([str(ini)])
    now = utcnow()
    with db(tmp_path) as session:
        user = session.scalars(select(User).where(User.login == "admin")).one()
        user.locked_until, user.failed_logins = now + timedelta(minutes=15), 0
        session.add_all(LoginFailure(ip="203.0.113.9", login="admin", at=now) for _ in range(5))
        session.add_all(LoginFailure(ip="198.51.100.20", login=f"guess{n}", at=now) for n in range(20))
        session.commit()
    capsys.readouterr()
    assert admin.main([str(ini), "unlock", "ADMIN"]) == 0
    assert "unlocked" in capsys.readouterr().out
    assert admin.main([str(ini), "unlock", "--address", "198.51.100.20"]) == 0
    assert "20 failed logins" in capsys.readouterr().out
    with db(tmp_path) as session:
        user = session.scalars(select(User).where(User.login == "admin")).one()
        assert user.locked_until is None and user.failed_logins == 0
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
        actions = {(e.action, e.target) for e in session.scalars(select(AuditEntry))}
        assert ("user.unlock", f"user:{user.id}") in actions and ("address.unlock", "address:198.51.100.20") in actions
    assert admin.main([str(ini), "unlock", "ghost"]) == 2
    assert admin.main([str(ini), "unlock"]) == 2
    assert admin.main([str(ini), "unlock", "admin", "--address", "198.51.100.20"]) == 2
    assert admin.main([str(ini), "unlock", "--address", "not an address"]) == 2


def test_a_user_created_on_the_console_is_audited_with_its_roles_and_parties(ini, tmp_path):
    from portal.audit.models import AuditEntry

    demo.main([str(ini)])
    assert admin.main([str(ini), "create-user", "console-made", "--role", "backoffice", "--party", "DEMO-YUG"],
                      stdin=io.StringIO("Fresh-password-11\n")) == 0
    with db(tmp_path) as session:
        user = session.scalars(select(User).where(User.login == "console-made")).one()
        party = session.scalars(select(Party).where(Party.external_id == "DEMO-YUG")).one()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                         AuditEntry.target == f"user:{user.id}")).one()
        assert entry.detail == {"via": "console", "roles": ["backoffice"], "party_ids": [party.id]}
