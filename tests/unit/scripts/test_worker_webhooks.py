"""``portal-worker`` POSTs the due webhook deliveries beside the e-mails, and refuses bad webhook
settings in one line."""
import re

import pytest

from portal.api.feed.services import publish
from portal.api.webhooks.services import create_webhook
from portal.scripts import worker
from tests.functional.api.test_webhooks import Receiver
from tests.unit.scripts.test_scripts import db, ini  # noqa: F401 - the migrated SQLite database and its .ini


def test_once_posts_every_due_delivery_and_exits(ini, tmp_path, capsys):  # noqa: F811
    with Receiver() as receiver:
        with db(tmp_path) as session, session.begin():
            _webhook, receiver.secret = create_webhook(session, "requests", receiver.url)
            for n in range(3):
                publish(session, "requests", {"request_id": n})
        assert worker.main([str(ini), "--once", "--batch", "2"]) == 0
    out = capsys.readouterr().out
    assert "Sent 0, to retry 0, failed 0." in out and "Webhooks: delivered 3, to retry 0, failed 0." in out
    assert [r["verified"] for r in receiver.received] == [True] * 3


@pytest.mark.parametrize("line", ["portal.webhooks.timeout = soon", "portal.webhooks.max_attempts = 0"])
def test_bad_webhook_settings_are_one_line_and_exit_2(ini, capsys, line):  # noqa: F811
    ini.write_text(re.sub(r"^\[app:main\]$", f"[app:main]\n{line}", ini.read_text(), flags=re.M))
    assert worker.main([str(ini), "--once"]) == 2
    err = capsys.readouterr().err
    assert "portal.webhooks." in err and err.count("\n") == 1
