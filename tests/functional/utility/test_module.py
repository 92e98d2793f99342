"""The utility vertical switched off: no supply points, readings, review queue, tile, navigation or
work kind; switched on (the test settings), all of them."""
import pytest
import webtest

import portal
from portal.workflows.kinds import work_kinds
from tests.conftest import login


@pytest.fixture(scope="module")
def without_utility(app_settings, migrated_engine):
    return portal.main({}, **dict(app_settings, **{"portal.modules": "finance"}))


def test_switched_off_nothing_of_it_is_registered(without_utility, tm, dbsession, testapp, world):
    off = without_utility
    assert "reading" not in work_kinds(off.registry)
    assert not {"supply-points", "readings"} & set(off.registry["portal.party_children"])
    assert "readings" not in off.registry["portal.root_areas"] and "readings" not in off.registry["portal.nav_items"]
    b = webtest.TestApp(off, extra_environ=dict(testapp.extra_environ))
    login(b, world.author.login)
    for url in (f"/p/{world.party.id}/supply-points/", f"/p/{world.party.id}/readings/", world.form_url):
        b.get(url, status=404)
    assert "/supply-points" not in b.get(f"/p/{world.party.id}/").text
    clerk = webtest.TestApp(off, extra_environ=dict(testapp.extra_environ))
    login(clerk, world.backoffice.login)
    clerk.get("/readings/", status=404)
    assert 'href="http://localhost/readings/"' not in clerk.get("/p/").text


def test_switched_on_it_is_all_there(app, world, browser):
    assert "reading" in work_kinds(app.registry)
    clerk = browser(world.backoffice)
    assert 'href="http://localhost/readings/"' in clerk.get("/p/").text
    assert clerk.get("/readings/").status_int == 200
