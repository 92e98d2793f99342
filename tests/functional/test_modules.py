"""Verticals switched on and off by ``portal.modules``: on, a package registers its parts through the
core's directives without any core file knowing it; off, nothing of it exists."""
import pytest
import webtest
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError

import portal
from portal.parties.resources import acl_template
from tests.conftest import PASSWORD, login
from tests.factories import PartyFactory, customer, staff

SAMPLE = "tests.sample_vertical"


@pytest.fixture(scope="module")
def apps(app_settings, migrated_engine):
    on = portal.main({}, **dict(app_settings, **{"portal.modules": SAMPLE}))
    off = portal.main({}, **dict(app_settings, **{"portal.modules": ""}))
    return on, off


def client(app, tm, dbsession):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                               "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})


def granted(app) -> set:
    return {p for _kind, _role, perms in acl_template(app.registry) for p in perms}


def test_switched_on_the_package_adds_its_page_tile_navigation_and_grants(apps, tm, dbsession):
    on, _off = apps
    party = PartyFactory(name="Sample Energo")
    user = customer(party)
    testapp = client(on, tm, dbsession)
    login(testapp, user.login, PASSWORD)
    assert testapp.get(f"/p/{party.id}/samples/").text == "samples of Sample Energo"
    assert f'href="http://localhost/p/{party.id}/samples"' in testapp.get(f"/p/{party.id}/").text
    assert {"samples:view", "samples:manage"} <= granted(on)
    boss = staff("head")
    other = client(on, tm, dbsession)
    login(other, boss.login, PASSWORD)
    assert "Sample dashboard" in other.get("/p/").text


def test_switched_off_nothing_of_it_is_registered(apps, tm, dbsession):
    _on, off = apps
    party = PartyFactory(name="Plain Energo")
    user = customer(party)
    testapp = client(off, tm, dbsession)
    login(testapp, user.login, PASSWORD)
    testapp.get(f"/p/{party.id}/samples/", status=404)
    assert "/samples" not in testapp.get(f"/p/{party.id}/").text
    assert not {"samples:view", "samples:manage"} & granted(off)
    assert "portal.nav_items" in off.registry and "samples-dashboard" not in off.registry["portal.nav_items"]
    assert "samples" not in off.registry["portal.party_children"]
    from tests.sample_vertical.resources import SamplesContainer
    introspected = off.registry.introspector.get_category("views")
    assert not any(v["introspectable"]["context"] is SamplesContainer for v in introspected)


def test_an_unknown_module_stops_the_start(app_settings):
    with pytest.raises(ConfigurationError, match="no vertical 'nonesuch'"):
        portal.main({}, **dict(app_settings, **{"portal.modules": "nonesuch"}))


def test_two_packages_granting_one_permission_conflict(app_settings):
    with pytest.raises(ConfigurationConflictError):
        portal.main({}, **dict(app_settings, **{"portal.modules": SAMPLE + ".thief"}))
