"""The balances on the party home: the latest operational and accounting balance, each as of its date."""
from datetime import date

from portal.finance.models import BalanceKind
from tests.conftest import login
from tests.factories import finance as f


def test_the_home_shows_the_latest_balance_of_each_kind(testapp, dbsession, books):
    party = books["party"]
    f.balance(dbsession, party, as_of=date(2026, 2, 28), amount="111.00", services="111.00")
    f.balance(dbsession, party, as_of=date(2026, 3, 31), amount="-2500.50", services="12000.00",
              penalties="499.50", prepayments="15000.00")
    f.balance(dbsession, party, kind=BalanceKind.accounting, as_of=date(2026, 3, 30), amount="4200.00")
    f.balance(dbsession, books["other"], as_of=date(2026, 4, 1), amount="987654.32")
    login(testapp, books["user"].login)
    home = testapp.get(f"/p/{party.id}/")
    panel = home.html.select_one("section.balances")
    operational = " ".join(panel.select_one(".balance-operational").text.split())
    assert "Operational balance · as of Mar 31, 2026" in operational and "-RUB2,500.50" in operational
    assert "in the customer's favour" in operational
    parts = panel.select_one(".balance-operational dl")
    assert {dt.text: dd.text for dt, dd in zip(parts.find_all("dt"), parts.find_all("dd"))} == {
        "Services rendered": "RUB12,000.00", "Penalties (demurrage and others)": "RUB499.50",
        "Prepayments": "RUB15,000.00"}
    assert "111.00" not in operational
    accounting = " ".join(panel.select_one(".balance-accounting").text.split())
    assert "Accounting balance · as of Mar 30, 2026" in accounting and "RUB4,200.00" in accounting
    assert "owed by the customer" in accounting and "Services rendered" not in accounting
    assert "987,654.32" not in home.text
    assert panel.select_one("a")["href"].endswith(f"/p/{party.id}/statement")


def test_no_balance_reported_no_panel(testapp, books):
    login(testapp, books["user"].login)
    assert testapp.get(f"/p/{books['party'].id}/").html.select_one("section.balances") is None
