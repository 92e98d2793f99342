"""Migration b2e1d0c3f4a5 on data: a party's single bank account stays, as its account number
(grouping spaces gone); critical becomes a priority customers no longer choose themselves."""
from sqlalchemy import create_engine, text

from alembic import command
from tests.conftest import alembic_config


def test_existing_bank_accounts_and_sla_policies_are_carried_over(tmp_path):
    url = f"sqlite:///{tmp_path}/bank.sqlite"
    cfg = alembic_config(url)
    command.upgrade(cfg, "a1f0c9d2e3b4")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO parties (id, name, bank_account, created_at) VALUES "
                          "(1, 'Spaced', '4070 2810 2000 0000 0001', '2026-01-01'), "
                          "(2, 'Compact', '40702810200000000001', '2026-01-01'), "
                          "(3, 'Free text', 'Sberbank, 4070 2810', '2026-01-01'), (4, 'None', NULL, '2026-01-01')"))
        conn.execute(text("INSERT INTO sla_policies (priority, resolve_hours, business_hours) VALUES "
                          "('high', 24, 0), ('critical', 4, 0)"))
    command.upgrade(cfg, "b2e1d0c3f4a5")
    with engine.connect() as conn:
        parties = conn.execute(text("SELECT id, bank_account, bank_name, bank_bic, invoice_email FROM parties "
                                    "ORDER BY id")).all()
        policies = dict(conn.execute(text("SELECT priority, customer_may_choose FROM sla_policies")).all())
    assert parties == [(1, "40702810200000000001", None, None, None), (2, "40702810200000000001", None, None, None),
                       (3, "Sberbank, 4070 2810", None, None, None), (4, None, None, None, None)]
    assert policies == {"high": 1, "critical": 0}
    command.downgrade(cfg, "a1f0c9d2e3b4")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT bank_account FROM parties WHERE id = 1")).scalar() == "40702810200000000001"
    engine.dispose()
