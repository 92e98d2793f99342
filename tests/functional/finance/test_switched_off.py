"""Finance switched off (not in ``portal.modules``): none of its pages, tiles, grants or panels exist."""
import webtest

import portal
from portal.parties.resources import acl_template
from tests.conftest import login
from tests.factories import finance as f


def test_nothing_of_finance_exists_when_it_is_not_switched_on(app_settings, tm, dbsession, books):
    off = portal.main({}, **dict(app_settings, **{"portal.modules": ""}))
    browser = webtest.TestApp(off, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                  "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    f.balance(dbsession, books["party"], amount="10.00")
    login(browser, books["user"].login)
    party, invoice = books["party"].id, books["invoices"]["open"].id
    for url in (f"/p/{party}/invoices/", f"/p/{party}/invoices/{invoice}/pdf", f"/p/{party}/invoices/zip?id={invoice}",
                f"/p/{party}/payments/", f"/p/{party}/statement", f"/p/{party}/price-lists/"):
        browser.get(url, status=404)
    home = browser.get(f"/p/{party}/")
    assert "/invoices" not in home.text and "section class=\"balances\"" not in home.text
    granted = {p for _kind, _role, perms in acl_template(off.registry) for p in perms}
    assert not granted & {"invoices:view", "payments:view", "statement:view", "balances:view", "price_lists:view"}
    assert "/price-lists" not in home.text
