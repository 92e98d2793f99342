"""Security headers and cookie flags on every kind of response."""
import pytest

from portal.security.headers import HEADERS
from tests.conftest import login
from tests.factories import customer


@pytest.mark.parametrize("path,status", [("/login", 200), ("/", 303), ("/nope", 404), ("/static/css/portal.css", 200)])
def test_security_headers_everywhere(testapp, path, status):
    response = testapp.get(path, status=status)
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_pages_are_not_cached_but_static_files_are(testapp):
    assert testapp.get("/login").headers["Cache-Control"] == "no-store"
    assert "max-age=3600" in testapp.get("/static/css/portal.css").headers["Cache-Control"]


def test_session_cookie_flags(testapp):
    response = testapp.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "secure" not in cookie.lower()  # development settings; production.ini sets Secure


def test_production_settings_make_the_cookie_secure(app_settings, migrated_engine):
    import webtest

    import portal

    prod = portal.main({}, **dict(app_settings, **{"portal.session.secure": "true"}))
    cookie = webtest.TestApp(prod).get("/login").headers["Set-Cookie"]
    assert "secure" in cookie.lower()


def test_production_refuses_a_missing_secret(app_settings):
    from pyramid.exceptions import ConfigurationError

    import portal

    with pytest.raises(ConfigurationError):
        portal.main({}, **dict(app_settings, **{"portal.session.secret": ""}))


def test_no_stack_trace_on_an_unexpected_error(testapp, app, monkeypatch):
    from portal.parties import views as parties

    def explode(*args, **kw):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(parties, "party_tiles", explode)
    user = customer()
    login(testapp, user.login)
    party_id = user.memberships[0].party_id
    response = testapp.get(f"/p/{party_id}/", status=500)
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "Something went wrong" in response.text


def test_hsts_is_sent_only_where_the_setting_turns_it_on(testapp, app_settings, migrated_engine):
    import webtest

    import portal

    assert "Strict-Transport-Security" not in testapp.get("/login").headers
    prod = webtest.TestApp(portal.main({}, **dict(app_settings, **{"portal.hsts": "true"})))
    for path, status in (("/login", 200), ("/nope", 404), ("/static/css/portal.css", 200), ("/", 303)):
        assert prod.get(path, status=status).headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("ini,expected", [("development.ini", False), ("production.ini", True)])
def test_production_ini_turns_hsts_on_and_development_does_not(ini, expected):
    import configparser

    from pyramid.settings import asbool

    from tests.conftest import HERE

    config = configparser.ConfigParser(interpolation=None)
    config.read(f"{HERE}/{ini}")
    assert asbool(config["app:main"].get("portal.hsts", "false")) is expected
