"""The data layer's wiring: one transaction per request, retried on transient errors."""
import webtest
from pyramid.config import Configurator
from transaction.interfaces import TransientError


def test_transient_errors_are_retried(app_settings, migrated_engine):
    calls = []

    def flaky(request):
        calls.append(request.tm)
        if len(calls) < 3:
            raise TransientError("serialization failure")
        return request.response

    with Configurator(settings=dict(app_settings)) as config:
        config.include("portal.db")
        config.add_route("flaky", "/flaky")
        config.add_view(flaky, route_name="flaky")
    testapp = webtest.TestApp(config.make_wsgi_app())
    assert testapp.get("/flaky").status_int == 200
    assert len(calls) == 3  # retry.attempts = 3


def test_a_failed_request_rolls_back(app_settings, migrated_engine):
    from sqlalchemy import func, select

    from portal.parties.models import Party

    def failing(request):
        request.dbsession.add(Party(name="Should vanish"))
        request.dbsession.flush()
        raise RuntimeError("boom")

    with Configurator(settings=dict(app_settings)) as config:
        config.include("portal.db")
        config.add_route("fail", "/fail")
        config.add_view(failing, route_name="fail")
    wsgi = config.make_wsgi_app()
    try:
        webtest.TestApp(wsgi).get("/fail")
    except RuntimeError:
        pass
    session = wsgi.registry["dbsession_factory"]()
    try:
        assert session.scalar(select(func.count()).select_from(Party).where(Party.name == "Should vanish")) == 0
    finally:
        session.close()
