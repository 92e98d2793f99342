"""``/account/notifications``: each person chooses how every kind of notification reaches them;
``/admin/notifications/``: the defaults of each staff role."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.admin.access import ROLE_TITLES
from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity.resources import AccountArea
from portal.notifications.kinds import CHANNEL_TITLES, KINDS, kinds_for
from portal.notifications.resources import NotificationDefaultsArea
from portal.notifications.schemas import KIND_DEFAULT, preferences_schema, role_defaults_schema
from portal.notifications.services import (
    chosen_channels,
    offered_channels,
    role_defaults,
    save_choices,
    save_role_defaults,
    sms_enabled,
)
from portal.security.permissions import Permission
from portal.views.forms import FormView


def choices(request, kinds):
    """(name, title, description, channel choices) of each of ``kinds``, in the request's language."""
    sms = sms_enabled(request.registry.settings)
    return [(kind.name, kind.title, kind.description,
             [(channel.value, translate(request, CHANNEL_TITLES[channel])) for channel in offered_channels(kind, sms)])
            for kind in kinds]


PREFERENCES = dict(context=AccountArea, name="notifications", permission=Permission.AccountEdit,
                   renderer="portal:notifications/templates/preferences.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **PREFERENCES)
@view_config(attr="post", request_method="POST", **PREFERENCES)
class PreferencesView(FormView):
    """The logged-in person's channel per kind: the own choice, else the role's default, else the kind's."""

    buttons = (("submit", _("Save")),)
    formid = "notifications"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user = request.identity.user
        self.kinds = kinds_for(request.identity.is_staff)

    def schema_class(self):
        return preferences_schema(choices(self.request, self.kinds))

    def current(self) -> dict:
        db = self.request.dbsession
        return {kind.name: chosen_channels(db, [self.user.id], kind)[self.user.id].value for kind in self.kinds}

    def appstruct(self):
        return self.current()

    def page(self, form_html):
        request = self.request
        return {"form": form_html, "user": self.user, "sms": sms_enabled(request.registry.settings),
                "is_admin": request.has_permission(Permission.AdminNotifications, request.root["admin"])}

    def success(self, appstruct, upload):
        current = self.current()
        wanted = {name: appstruct[name] for name in current if appstruct[name] != current[name]}
        changed = save_choices(self.request.dbsession, self.user.id, wanted)
        message = _("Your choices are saved.") if changed else _("Nothing has changed.")
        self.request.session.flash(translate(self.request, message), "success" if changed else "info")
        return HTTPSeeOther(self.request.resource_url(self.context, "notifications"))


DEFAULTS = dict(context=NotificationDefaultsArea, name="", permission=Permission.AdminNotifications,
                renderer="portal:notifications/templates/defaults.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **DEFAULTS)
@view_config(attr="post", request_method="POST", **DEFAULTS)
class RoleDefaultsView(FormView):
    """The channel per kind that each staff role's holders get until they choose their own; audited."""

    buttons = (("submit", _("Save")),)
    formid = "notification-defaults"

    def roles(self):
        return [(role.value, translate(self.request, title)) for role, title in ROLE_TITLES.items()]

    def schema_class(self):
        return role_defaults_schema(self.roles(), choices(self.request, KINDS.values()))

    def appstruct(self):
        defaults = role_defaults(self.request.dbsession)
        return {role: {name: defaults.get(role, {}).get(name, KIND_DEFAULT) for name in KINDS}
                for role, _title in self.roles()}

    def success(self, appstruct, upload):
        wanted = {role: {name: value or None for name, value in kinds.items()} for role, kinds in appstruct.items()
                  if role in dict(self.roles())}
        changes = save_role_defaults(self.request.dbsession, wanted)
        if changes:
            self.request.find_service(IAuditService).record("notifications.defaults", "notifications",
                                                            changes=changes)
        message = _("The defaults are saved.") if changes else _("Nothing has changed.")
        self.request.session.flash(translate(self.request, message), "success" if changes else "info")
        return HTTPSeeOther(self.request.resource_url(self.context))
