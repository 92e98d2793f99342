"""``portal-admin create-party``: a party made on the console as the web makes it (its holding by id or
accounting id, the same refusals, audited); and the licence holds on the console too."""
import io

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.parties.models import Party
from portal.scripts import admin
from tests.unit.scripts.test_scripts import db, ini  # noqa: F401  (the fixture and the helper)


def test_create_party_with_its_holding_is_audited(ini, tmp_path, capsys):
    assert admin.main([str(ini), "create-party", "Console Holding", "--external-id", "CON-H"]) == 0
    assert admin.main([str(ini), "create-party", " Console Daughter ", "--tax-id", "7701555555",
                       "--external-id", "CON-D", "--parent", "CON-H", "--address", "Tverskaya 9"]) == 0
    assert "Created party 'Console Daughter'" in capsys.readouterr().out
    with db(tmp_path) as session:
        holding, daughter = (session.scalars(select(Party).where(Party.external_id == e)).one()
                             for e in ("CON-H", "CON-D"))
        assert (daughter.parent_id, daughter.tax_id, daughter.address, daughter.state) == (
            holding.id, "7701555555", "Tverskaya 9", "active")
        entry = session.scalars(select(AuditEntry).where(AuditEntry.target == f"party:{daughter.id}")).one()
        assert (entry.action, entry.actor_id, entry.detail["via"], entry.detail["parent"]) == (
            "party.create", None, "console", "Console Holding")
    # By its number in the portal too.
    assert admin.main([str(ini), "create-party", "Granddaughter", "--parent", str(holding.id)]) == 0


def test_create_party_refuses_bad_input_and_creates_nothing(ini, tmp_path, capsys):
    assert admin.main([str(ini), "create-party", "Taken", "--external-id", "CON-T"]) == 0
    capsys.readouterr()
    for argv, message in (
        (["create-party", "Again", "--external-id", "CON-T"], "Another party has the accounting id “CON-T”."),
        (["create-party", "Orphan", "--parent", "NO-SUCH"], "There is no party “NO-SUCH”."),
        (["create-party", "   "], "A party's name has 1 to 255 characters."),
        (["create-party", "Long", "--tax-id", "9" * 40], "--tax-id has at most 32 characters."),
    ):
        assert admin.main([str(ini), *argv]) == 2
        assert message in capsys.readouterr().err
    with db(tmp_path) as session:
        assert session.scalars(select(Party.name).where(Party.name.in_(["Again", "Orphan", "Long"]))).all() == []


def test_the_console_keeps_to_the_licence(ini, tmp_path, capsys):
    text = ini.read_text()
    assert "portal.max_customer_users = unlimited" in text
    ini.write_text(text.replace("portal.max_customer_users = unlimited", "portal.max_customer_users = 1"))
    assert admin.main([str(ini), "create-party", "Seat Co", "--external-id", "SEAT"]) == 0
    assert admin.main([str(ini), "create-user", "seat-one", "--party", "SEAT"],
                      stdin=io.StringIO("Fresh-password-11\n")) == 0
    assert admin.main([str(ini), "create-user", "seat-two", "--party", "SEAT"],
                      stdin=io.StringIO("Fresh-password-11\n")) == 2
    assert "The licence allows 1 customer users, and all 1 seats are taken." in capsys.readouterr().err
    assert admin.main([str(ini), "block", "seat-one"]) == 0
    assert admin.main([str(ini), "create-user", "seat-two", "--party", "SEAT"],
                      stdin=io.StringIO("Fresh-password-11\n")) == 0
    assert admin.main([str(ini), "unblock", "seat-one"]) == 2
