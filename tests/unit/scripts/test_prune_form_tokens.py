"""``portal-jobs prune-form-tokens``: the used one-time form tokens past their lifetime are forgotten."""
from datetime import timedelta

from sqlalchemy import select

from portal.db.meta import utcnow
from portal.formtokens.models import UsedFormToken
from portal.identity.models import User
from portal.scripts import jobs
from tests.unit.scripts.test_scripts import db, ini  # noqa: F401 - the migrated SQLite database and its .ini


def test_prune_form_tokens_forgets_the_expired_ones_only(ini, tmp_path, capsys):  # noqa: F811
    now = utcnow()
    with db(tmp_path) as session, session.begin():
        user = User(login="filer", last_name="Filer")
        session.add(user)
        session.flush()
        session.add_all(UsedFormToken(nonce=f"n{hours}", user_id=user.id, form="new-ticket",
                                      used_at=now - timedelta(hours=hours), location="/p/1/tickets/1/")
                        for hours in (1, 23, 25, 200))
    assert jobs.main([str(ini), "prune-form-tokens"]) == 0
    assert "Deleted 2 used form tokens older than 24 hours." in capsys.readouterr().out
    with db(tmp_path) as session:
        assert sorted(session.scalars(select(UsedFormToken.nonce))) == ["n1", "n23"]
