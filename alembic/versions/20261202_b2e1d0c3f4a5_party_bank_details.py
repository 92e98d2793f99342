"""Bank details as the accounting system has them (bank name, BIC, account number); the invoice
e-mail; which priorities customers may choose

The single ``bank_account`` a party had stays where it is, as the account
number: the form only ever accepted an account number or IBAN there. Its
grouping spaces go, so it reads like what the form stores now. Critical
becomes a priority customers no longer choose themselves (issue 9, item 16);
the administrator may allow it again on the SLA page.

Revision ID: b2e1d0c3f4a5
Revises: a1f0c9d2e3b4
Create Date: 2026-12-02 17:30:00.000000

"""
import re
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b2e1d0c3f4a5'
down_revision: Union[str, Sequence[str], None] = 'a1f0c9d2e3b4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# What the former form accepted: letters and digits, spaces between groups.
GROUPED_ACCOUNT = re.compile(r"^[0-9A-Za-z ]+$")

parties = sa.table("parties", sa.column("id", sa.Integer), sa.column("bank_account", sa.String))
sla_policies = sa.table("sla_policies", sa.column("priority", sa.String),
                        sa.column("customer_may_choose", sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("bank_bic", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("invoice_email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_may_choose", sa.Boolean(), server_default=sa.true(),
                                      nullable=False))

    connection = op.get_bind()
    rows = connection.execute(sa.select(parties.c.id, parties.c.bank_account)
                              .where(parties.c.bank_account.like("% %"))).all()
    for party_id, account in rows:
        if GROUPED_ACCOUNT.match(account):
            connection.execute(parties.update().where(parties.c.id == party_id)
                               .values(bank_account=account.replace(" ", "").upper()))
    connection.execute(sla_policies.update().where(sla_policies.c.priority == "critical")
                       .values(customer_may_choose=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_column("customer_may_choose")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_column("invoice_email")
        batch_op.drop_column("bank_bic")
        batch_op.drop_column("bank_name")
