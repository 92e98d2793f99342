"""``portal-admin create-api-key``: the token is printed once, and only its hash is stored."""
from sqlalchemy import select

from portal.api.keys import find_active_key, hash_token, revoke_api_key
from portal.api.models import ApiKey
from portal.audit.models import AuditEntry
from portal.scripts import admin
from tests.unit.scripts.test_scripts import db, ini  # noqa: F401 - the migrated SQLite database and its .ini


def test_create_api_key_prints_the_token_once_and_stores_its_hash(ini, tmp_path, capsys):  # noqa: F811
    assert admin.main([str(ini), "create-api-key", "--name", "Accounting", "--scope", "write"]) == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert token.startswith("pk_") and len(token) > 40
    with db(tmp_path) as session:
        key = session.scalars(select(ApiKey)).one()
        assert (key.name, key.scope) == ("Accounting", "write")
        assert key.key_hash == hash_token(token) and token not in (key.key_hash, key.prefix)
        assert token.startswith(key.prefix)
        stored = [str(v) for v in session.execute(select(ApiKey.__table__)).one()]
        assert token not in stored
        assert find_active_key(session, token).id == key.id
        assert session.scalars(select(AuditEntry.action)).all()[-1] == "api_key.create"
        assert revoke_api_key(key) and find_active_key(session, token) is None


def test_create_api_key_defaults_to_read_and_refuses_a_bad_scope(ini, tmp_path, capsys):  # noqa: F811
    assert admin.main([str(ini), "create-api-key", "--name", "Reports"]) == 0
    try:
        admin.main([str(ini), "create-api-key", "--name", "X", "--scope", "admin"])
    except SystemExit as exc:
        assert exc.code == 2
    assert admin.main([str(ini), "create-api-key", "--name", "  "]) == 2
    with db(tmp_path) as session:
        assert [k.scope for k in session.scalars(select(ApiKey))] == ["read"]
