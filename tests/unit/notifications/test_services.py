"""Who chose which channel: one's own choice, else the first role's default in the roles' order, else the
kind's own; a channel the kind does not offer counts as none."""
from portal.notifications.kinds import ACCOUNT, MESSAGES, NEWS, WORK
from portal.notifications.models import NotificationPreference, RoleNotificationDefault
from portal.notifications.services import chosen_channels, save_choices, save_role_defaults, sms_enabled
from tests.factories import UserFactory, UserRoleFactory, staff


def test_own_choice_then_role_default_then_the_kinds(dbsession):
    plain, chooser = UserFactory(), staff("service")
    both = staff("admin")
    UserRoleFactory(user=both, role="backoffice")
    dbsession.add_all([
        RoleNotificationDefault(role="service", kind="news", channel="sms"),
        RoleNotificationDefault(role="backoffice", kind="news", channel="portal"),
        RoleNotificationDefault(role="admin", kind="news", channel="off"),
        NotificationPreference(user_id=chooser.id, kind="news", channel="email"),
    ])
    dbsession.flush()
    channels = chosen_channels(dbsession, [plain.id, chooser.id, both.id], NEWS)
    # backoffice comes before admin in identity's Role.
    assert channels == {plain.id: "email", chooser.id: "email", both.id: "portal"}
    assert chosen_channels(dbsession, [], WORK) == {}


def test_a_channel_the_kind_does_not_offer_counts_as_none(dbsession):
    user = UserFactory()
    dbsession.add_all([NotificationPreference(user_id=user.id, kind="messages", channel="off"),
                       NotificationPreference(user_id=user.id, kind="account", channel="portal")])
    dbsession.flush()
    assert chosen_channels(dbsession, [user.id], MESSAGES) == {user.id: "email"}
    assert chosen_channels(dbsession, [user.id], ACCOUNT) == {user.id: "email"}


def test_saving_keeps_only_what_changed_and_what_the_kind_offers(dbsession):
    user = UserFactory()
    assert save_choices(dbsession, user.id, {"work": "sms", "messages": "off"}) == ["work"]
    assert save_choices(dbsession, user.id, {"work": "sms"}) == []
    changes = save_role_defaults(dbsession, {"head": {"work": "portal", "news": None}})
    assert changes == {"head": {"work": [None, "portal"]}}
    assert save_role_defaults(dbsession, {"head": {"work": None}}) == {"head": {"work": ["portal", None]}}


def test_sms_is_on_with_a_gateway_or_a_folder():
    assert not sms_enabled({}) and not sms_enabled({"portal.sms.url": "  "})
    assert sms_enabled({"portal.sms.url": "https://sms.test/send"}) and sms_enabled({"portal.sms.folder": "var/sms"})
