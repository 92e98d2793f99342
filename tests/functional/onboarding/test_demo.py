"""The demo's registrations through HTTP: the back office finds them waiting (Yug Vodokanal suggested by
its tax id), ``trans`` sees its own request, the rejected person its reason; loading twice adds nothing."""
from sqlalchemy import func, select

from portal.identity.passwords import password_service_from_settings
from portal.notifications.models import NotificationPreference
from portal.onboarding.demo import load_demo_registrations
from portal.onboarding.models import MembershipRequest
from portal.scripts import demo
from tests.conftest import login


def test_the_demo_shows_registrations_waiting_decided_and_asked_for(testapp, dbsession, app_settings):
    passwords = password_service_from_settings(app_settings)
    demo.load_demo(dbsession, passwords)
    for _ in range(2):
        load_demo_registrations(dbsession, passwords, demo.DEMO_PASSWORD)
    assert dbsession.scalar(select(func.count()).select_from(MembershipRequest)) == 5
    assert dbsession.scalar(select(func.count()).select_from(NotificationPreference)) == 2
    login(testapp, "backoffice", demo.DEMO_PASSWORD)
    listed = testapp.get("/backoffice/registrations/").html.select_one("#registrations").text
    assert "Морозова Анна Сергеевна" in listed and "Orlov Dmitry" in listed and "Kuznetsova Anna" in listed
    waiting = dbsession.scalars(select(MembershipRequest).where(MembershipRequest.company_name == "Юг Водоканал")).one()
    page = testapp.get(f"/backoffice/registrations/{waiting.id}/")
    assert "Yug Vodokanal" in page.html.select_one("#suggestions").text
    testapp.reset()
    login(testapp, "trans", demo.DEMO_PASSWORD)
    assert "Sever Energo" in testapp.get("/account/memberships").html.select_one("#membership-requests").text
    testapp.reset()
    login(testapp, "ivan.k@mail.example", demo.DEMO_PASSWORD)
    assert "ask your manager there to write to us" in testapp.get("/account/memberships").text
