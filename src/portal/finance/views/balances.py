"""The party home's balances: the latest operational and accounting balance the accounting system reported."""
from portal.finance.services.balances import KIND_TITLES, latest_balances
from portal.security.permissions import Permission


def balances_panel(context, request):
    """The values of the balances panel, or None (nothing to show: no balance yet, or not this user's to see)."""
    if not request.has_permission(Permission.BalancesView, context):
        return None
    balances = latest_balances(request.dbsession, context.party.id)
    if not balances:
        return None
    return {
        "balances": balances,
        "kinds": KIND_TITLES,
        "statement_url": request.resource_url(context, "statement")
        if request.has_permission(Permission.StatementView, context) else None,
    }
