"""Administration of users: list, set a password, block and unblock, staff roles and the parties a
user acts for; every change audited."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults
from sqlalchemy import select

from portal.admin.access import (
    MEMBERSHIP_TITLES,
    ROLE_TITLES,
    grant_party,
    memberships_of,
    set_membership_state,
    set_roles,
)
from portal.admin.resources import AdminArea, UserResource, UsersContainer
from portal.admin.schemas import GrantPartySchema, UserRolesSchema
from portal.admin.services import SettingRefused
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _, translate
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.models import User, UserState
from portal.identity.schemas import SetPasswordSchema
from portal.parties.models import MembershipState
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

# The same labels as the list's state badges, so the export reads like the page.
STATE_LABELS = {UserState.active.value: _("active"), UserState.blocked.value: _("blocked")}
USER_EXPORT_COLUMNS = (
    Column(_("Login"), "login", width=20),
    Column(_("Name"), "full_name", width=36),
    Column(_("E-mail"), "email", width=30),
    Column(_("Phone"), "phone", width=18),
    Column(_("State"), lambda user: STATE_LABELS.get(user.state, user.state), width=12),
    Column(_("Last login"), "last_login_at", kind="datetime", width=18),
)


@view_config(context=AdminArea, name="", permission=Permission.AdminUsers, request_method=("GET", "HEAD"))
def admin_home(context, request):
    return HTTPSeeOther(request.resource_url(context, "users"))


@view_config(context=UsersContainer, name="", attr="page", permission=Permission.AdminUsers,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/users.pt")
@view_config(context=UsersContainer, name="export.xlsx", attr="export", permission=Permission.AdminUsers,
             request_method=("GET", "HEAD"))
class UserList(ListView):
    """Every user, searched by login, last name or e-mail: the page and its export."""

    spec = ListSpec(
        columns=USER_EXPORT_COLUMNS,
        sorts={"login": User.login, "name": User.last_name, "state": User.state, "last_login": User.last_login_at},
        default_sort="login", tiebreak=User.id,
        search=(User.login, User.last_name, User.email),
        title=_("Users"), ascii_name="users",
    )

    def statement(self):
        return select(User)


USER_PAGE = dict(context=UserResource, permission=Permission.AdminUsers, renderer="portal:admin/templates/user.pt")


def role_choices(request):
    return [(role.value, translate(request, title)) for role, title in ROLE_TITLES.items()]


def user_page(request, context, *, password_html=None, roles_html=None, party_html=None, error=None) -> dict:
    """The user's page: its facts, roles, parties, and the forms that change them; a refused form
    comes back in its place with its errors."""
    user = context.user
    if error is not None:
        request.response.status = 400
    return {
        "user": user,
        "form": password_html or SetPasswordView(context, request).form().render(),
        "roles_form": roles_html or RolesView(context, request).form().render(
            {"roles": {r.role for r in user.roles}}),
        "party_form": party_html or GrantPartyView(context, request).form().render(),
        "memberships": memberships_of(request.dbsession, user),
        "membership_titles": MEMBERSHIP_TITLES,
        "role_titles": ROLE_TITLES,
        "error": error,
    }


class UserForm(FormView):
    """A form on a user's page; refused, the whole page comes back with the form and its errors (400)."""

    slot = None  # the user_page() argument the refused form goes to

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user = context.user

    def page(self, form_html):
        return user_page(self.request, self.context, **{self.slot: form_html})

    def back(self, message, queue="success"):
        self.request.session.flash(translate(self.request, message), queue)
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(name="", attr="get", request_method=("GET", "HEAD"), **USER_PAGE)
@view_config(name="set-password", attr="post", request_method="POST", **USER_PAGE)
class SetPasswordView(UserForm):
    """One user as an admin sees it, with the form that sets a new password (the sessions end, audited)."""

    schema_class = SetPasswordSchema
    buttons = (("submit", _("Set password")),)
    formid = "set-password"
    slot = "password_html"

    def bind_kwargs(self):
        return {"passwords": self.request.find_service(IPasswordService), "login": self.user.login}

    def action(self):
        return self.request.resource_url(self.context, "set-password")

    def get(self):
        return user_page(self.request, self.context)

    def success(self, appstruct, upload):
        passwords = self.request.find_service(IPasswordService)
        self.user.password_hash = passwords.hash(appstruct["new_password"])
        self.request.find_service(IAuthService).unlock(self.user)
        self.request.find_service(IAuthService).end_all_sessions(self.user.id)
        self.request.find_service(IAuditService).record("user.set_password", f"user:{self.user.id}")
        self.request.session.flash(translate(self.request, _(
            "The password has been set; the user's sessions have ended.")), "success")
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(name="roles", attr="post", request_method="POST", **USER_PAGE)
class RolesView(UserForm):
    """The user's staff roles, ticked; the change is audited (old and new roles)."""

    schema_class = UserRolesSchema
    buttons = (("submit", _("Save roles")),)
    formid = "user-roles"
    slot = "roles_html"

    def bind_kwargs(self):
        return {"roles": role_choices(self.request)}

    def action(self):
        return self.request.resource_url(self.context, "roles")

    def success(self, appstruct, upload):
        try:
            changed = set_roles(self.request.dbsession, self.request.find_service(IAuditService), self.user,
                                appstruct["roles"], acting_user_id=self.request.authenticated_userid)
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        if not changed:
            return self.back(_("Nothing has changed."), "info")
        return self.back(_("The roles of ${name} have been saved.", mapping={"name": self.user.full_name}))


@view_config(name="add-party", attr="post", request_method="POST", **USER_PAGE)
class GrantPartyView(UserForm):
    """Let the user act for one more party (or again for one revoked); audited."""

    schema_class = GrantPartySchema
    buttons = (("submit", _("Add")),)
    formid = "add-party"
    slot = "party_html"

    def action(self):
        return self.request.resource_url(self.context, "add-party")

    def success(self, appstruct, upload):
        try:
            party = grant_party(self.request.dbsession, self.request.find_service(IAuditService), self.user,
                                appstruct["party"])
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return self.back(_("${name} now acts for ${party}.", mapping={"name": self.user.full_name,
                                                                       "party": party.name}))


@view_defaults(context=UserResource, permission=Permission.AdminUsers)
class UserAdminViews:
    """One user as an admin sees it; every change is audited."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.user = context.user

    @view_config(name="block", request_method="POST")
    def block(self):
        if self.user.id == self.request.authenticated_userid:
            return self._back(_("You cannot block yourself."), "error")
        self.user.state = UserState.blocked.value
        self.request.find_service(IAuthService).end_all_sessions(self.user.id)
        self.request.find_service(IAuditService).record("user.block", f"user:{self.user.id}")
        return self._back(_("The user has been blocked."))

    @view_config(name="unblock", request_method="POST")
    def unblock(self):
        self.user.state = UserState.active.value
        self.request.find_service(IAuthService).unlock(self.user)
        self.request.find_service(IAuditService).record("user.unblock", f"user:{self.user.id}")
        return self._back(_("The user has been unblocked."))

    @view_config(name="revoke-party", request_method="POST", renderer="portal:admin/templates/user.pt")
    def revoke_party(self):
        """The user no longer acts for one party (its membership stays, revoked, and can be restored)."""
        return self._membership(MembershipState.revoked, lambda names: _(
            "${name} no longer acts for ${party}.", mapping=names))

    @view_config(name="restore-party", request_method="POST", renderer="portal:admin/templates/user.pt")
    def restore_party(self):
        return self._membership(MembershipState.active, lambda names: _("${name} now acts for ${party}.",
                                                                        mapping=names))

    def _membership(self, state, message):
        try:
            party = set_membership_state(self.request.dbsession, self.request.find_service(IAuditService),
                                         self.user, parse_id(self.request.POST.get("membership_id")), state)
        except SettingRefused as refused:
            return user_page(self.request, self.context, error=refused.message)
        return self._back(message({"name": self.user.full_name, "party": party.name}))

    def _back(self, message, queue="success"):
        self.request.session.flash(translate(self.request, message), queue)
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(context=UserResource, name="unlock", request_method="POST", permission=Permission.AdminUsers)
def unlock_user(context, request):
    """Lift the lock too many failed logins put on a user's login (someone else may have caused it)."""
    request.find_service(IAuthService).unlock(context.user)
    request.find_service(IAuditService).record("user.unlock", f"user:{context.user.id}")
    request.session.flash(translate(request, _("The login has been unlocked.")), "success")
    return HTTPSeeOther(request.resource_url(context))
