"""The balances the accounting system reported for a party: the latest of each kind and currency."""
from sqlalchemy import func, select

from portal.finance.models import Balance, BalanceKind
from portal.i18n import _

KIND_TITLES = {
    BalanceKind.operational: _("Operational balance"),
    BalanceKind.accounting: _("Accounting balance"),
}


def latest_balances(session, party_id: int) -> list[Balance]:
    """The newest balance of each kind and currency of the party (operational first)."""
    newest = (
        select(Balance.kind, Balance.currency, func.max(Balance.as_of).label("as_of"))
        .where(Balance.party_id == party_id).group_by(Balance.kind, Balance.currency).subquery()
    )
    rows = session.scalars(
        select(Balance).join(newest, (Balance.kind == newest.c.kind) & (Balance.currency == newest.c.currency)
                             & (Balance.as_of == newest.c.as_of))
        .where(Balance.party_id == party_id)
    ).all()
    order = list(BalanceKind)
    return sorted(rows, key=lambda b: (order.index(BalanceKind(b.kind)), b.currency))
