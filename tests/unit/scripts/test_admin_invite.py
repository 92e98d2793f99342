"""``portal-admin invite LOGIN``: the invitation e-mail into the outbox, its link good once; refusals
in one line."""
import io
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.onboarding.models import TokenPurpose
from portal.onboarding.tokens import valid_token
from portal.outbox.models import OutboxMessage
from portal.scripts import admin
from tests.unit.scripts.test_scripts import db, ini  # noqa: F401 - the migrated SQLite database and its .ini


def test_invite_writes_the_e_mail_and_says_where_it_went(ini, tmp_path, capsys):
    assert admin.main([str(ini), "create-user", "newbie", "--email", "newbie@example.test", "--first-name", "Nina"],
                      stdin=io.StringIO("First-password-11\n")) == 0
    capsys.readouterr()
    assert admin.main([str(ini), "invite", "NEWBIE"]) == 0
    out = capsys.readouterr().out
    assert "Invitation of 'newbie' written to the outbox for newbie@example.test" in out
    assert "its link works for 7 days" in out
    with db(tmp_path) as session:
        [mail] = session.scalars(select(OutboxMessage)).all()
        assert (mail.recipient, mail.topic, mail.subject) == (
            "newbie@example.test", "invitation", "Your login to the customer portal")
        assert mail.body.startswith("Hello, Nina.")
        [token] = re.findall(r"http://localhost:6543/invite/(\S+)", mail.body)
        assert valid_token(session, token, TokenPurpose.invitation).user.login == "newbie"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "invitation.send")).one()
        assert entry.detail["via"] == "console"


def test_invite_refuses_an_unknown_login_or_one_without_an_address(ini, tmp_path, capsys):
    assert admin.main([str(ini), "invite", "ghost"]) == 2
    assert "No user with the login 'ghost'." in capsys.readouterr().err
    assert admin.main([str(ini), "create-user", "mute"], stdin=io.StringIO("First-password-11\n")) == 0
    assert admin.main([str(ini), "invite", "mute"]) == 2
    assert "The user has no e-mail address to send the invitation to." in capsys.readouterr().err
    with db(tmp_path) as session:
        assert session.scalars(select(OutboxMessage)).all() == []
