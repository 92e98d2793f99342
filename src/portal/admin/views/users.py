"""Administration of users: list (with the licence's seats), a new user, its details, set a password,
block and unblock, staff roles and the parties a user acts for, each with its role there; every change
audited. The back office sees and manages customers' users only (admin/resources.py)."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults
from sqlalchemy import exists, select

from portal.admin.access import (
    MEMBER_ROLE_TITLES,
    MEMBERSHIP_TITLES,
    ROLE_TITLES,
    USER_FIELDS,
    create_user,
    grant_party,
    memberships_of,
    set_membership_role,
    set_membership_state,
    set_roles,
    unblock_user,
    update_user,
)
from portal.admin.resources import AdminArea, UserResource, UsersContainer
from portal.admin.schemas import GrantPartySchema, NewUserSchema, UserDetailsSchema, UserRolesSchema
from portal.admin.services import SettingRefused
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import LANGUAGES, _, titles, translate
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.models import User, UserRole, UserState, full_name
from portal.identity.schemas import SetPasswordSchema
from portal.parties.licence import licence_limit, licence_usage
from portal.parties.models import MembershipRole, MembershipState
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
    """Every user (the back office: every customer's user), searched by login, last name or e-mail: the
    page and its export; the page shows the licence's seats taken and allowed."""

    spec = ListSpec(
        columns=USER_EXPORT_COLUMNS,
        sorts={"login": User.login, "name": User.last_name, "state": User.state, "last_login": User.last_login_at},
        default_sort="login", tiebreak=User.id,
        search=(User.login, User.last_name, User.email),
        title=_("Users"), ascii_name="users",
        shown=("id", "login", "last_name", "first_name", "middle_name", "state", "last_login_at"),
    )

    def statement(self):
        if self.request.has_permission(Permission.AdminRoles, self.context):
            return select(User)
        return select(User).where(~exists().where(UserRole.user_id == User.id))

    def extra(self, page):
        return {"licence": licence_usage(self.request.dbsession, licence_limit(self.request.registry)),
                "full_name": full_name, "state_titles": titles(self.request, STATE_LABELS)}


NEW_USER = dict(context=UsersContainer, name="new", permission=Permission.AdminUsers,
                renderer="portal:admin/templates/user_new.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_USER)
@view_config(attr="post", request_method="POST", **NEW_USER)
class NewUserView(FormView):
    """A new user: login, e-mail, phone, names, language, staff roles (administrators only), and the
    party it acts for with its role there (optional: a customer's user may be bound later). It has no
    password yet: one is set on its page."""

    schema_class = NewUserSchema
    buttons = (("submit", _("Create the user")),)
    formid = "new-user"

    def bind_kwargs(self):
        may_give_roles = self.request.has_permission(Permission.AdminRoles, self.context)
        return {"languages": language_choices(), "member_roles": member_role_choices(self.request),
                "roles": role_choices(self.request) if may_give_roles else []}

    def action(self):
        return self.request.resource_url(self.context, "new")

    def success(self, appstruct, upload):
        try:
            user = create_user(self.request.dbsession, self.request.find_service(IAuditService), appstruct,
                               seats=seats(self.request))
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        self.request.session.flash(translate(self.request, _(
            "The user ${login} has been created. Send it an invitation or set a password for it below.",
            mapping={"login": user.login})), "success")
        return HTTPSeeOther(self.request.resource_url(self.context, str(user.id), ""))


USER_PAGE = dict(context=UserResource, permission=Permission.AdminUsers, renderer="portal:admin/templates/user.pt")


def role_choices(request):
    return [(role.value, translate(request, title)) for role, title in ROLE_TITLES.items()]


def member_role_choices(request):
    return [(role.value, translate(request, title)) for role, title in MEMBER_ROLE_TITLES.items()]


def language_choices():
    return list(LANGUAGES.items())


def seats(request):
    """The licence's limit of customer users (None: unlimited)."""
    return licence_limit(request.registry)


def user_page(request, context, *, password_html=None, roles_html=None, party_html=None, details_html=None,
              error=None) -> dict:
    """The user's page: its facts, roles, parties, and the forms that change them; a refused form
    comes back in its place with its errors. Staff roles are given by administrators only."""
    user = context.user
    if error is not None:
        request.response.status = 400
    may_give_roles = request.has_permission(Permission.AdminRoles, context)
    return {
        "user": user,
        "form": password_html or SetPasswordView(context, request).form().render(),
        "details_form": details_html or DetailsView(context, request).form().render(
            {name: getattr(user, name) or "" for name in USER_FIELDS}),
        "roles_form": (roles_html or RolesView(context, request).form().render(
            {"roles": {r.role for r in user.roles}})) if may_give_roles else None,
        "party_form": party_html or GrantPartyView(context, request).form().render(),
        "memberships": memberships_of(request.dbsession, user),
        "membership_titles": MEMBERSHIP_TITLES,
        "member_roles": member_role_choices(request),
        "member_role_titles": MEMBER_ROLE_TITLES,
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


@view_config(name="details", attr="post", request_method="POST", **USER_PAGE)
class DetailsView(UserForm):
    """Who the user is: e-mail, mobile phone, names, language (the login stays); audited with what changed."""

    schema_class = UserDetailsSchema
    buttons = (("submit", _("Save")),)
    formid = "user-details"
    slot = "details_html"

    def bind_kwargs(self):
        return {"languages": language_choices()}

    def action(self):
        return self.request.resource_url(self.context, "details")

    def success(self, appstruct, upload):
        if not update_user(self.request.dbsession, self.request.find_service(IAuditService), self.user, appstruct):
            return self.back(_("Nothing has changed."), "info")
        return self.back(_("The details of ${name} have been saved.", mapping={"name": self.user.full_name}))


@view_config(name="roles", attr="post", request_method="POST", context=UserResource,
             permission=Permission.AdminRoles, renderer="portal:admin/templates/user.pt")
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
                                appstruct["roles"], acting_user_id=self.request.authenticated_userid,
                                seats=seats(self.request))
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        if not changed:
            return self.back(_("Nothing has changed."), "info")
        return self.back(_("The roles of ${name} have been saved.", mapping={"name": self.user.full_name}))


@view_config(name="add-party", attr="post", request_method="POST", **USER_PAGE)
class GrantPartyView(UserForm):
    """Let the user act for one more party (or again for one suspended or ended), in a role there; audited."""

    schema_class = GrantPartySchema
    buttons = (("submit", _("Add")),)
    formid = "add-party"
    slot = "party_html"

    def bind_kwargs(self):
        return {"member_roles": member_role_choices(self.request)}

    def action(self):
        return self.request.resource_url(self.context, "add-party")

    def success(self, appstruct, upload):
        try:
            party = grant_party(self.request.dbsession, self.request.find_service(IAuditService), self.user,
                                appstruct["party"], appstruct["role"], seats=seats(self.request))
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

    @view_config(name="unblock", request_method="POST", renderer="portal:admin/templates/user.pt")
    def unblock(self):
        """Let the user in again: a customer's user only while the licence has a seat for it."""
        try:
            unblock_user(self.request.dbsession, self.request.find_service(IAuditService), self.user,
                         seats=seats(self.request))
        except SettingRefused as refused:
            return self._refused(refused)
        self.request.find_service(IAuthService).unlock(self.user)
        return self._back(_("The user has been unblocked."))

    @view_config(name="revoke-party", request_method="POST", renderer="portal:admin/templates/user.pt")
    def revoke_party(self):
        """The user no longer acts for one party (its membership stays, ended, and can be restored)."""
        return self._membership(MembershipState.revoked, lambda names: _(
            "${name} no longer acts for ${party}.", mapping=names))

    @view_config(name="suspend-party", request_method="POST", renderer="portal:admin/templates/user.pt")
    def suspend_party(self):
        """The user's access to one party pauses until it is resumed (its seat of the licence is freed)."""
        return self._membership(MembershipState.suspended, lambda names: _(
            "${name} no longer acts for ${party} until the access is resumed.", mapping=names))

    @view_config(name="restore-party", request_method="POST", renderer="portal:admin/templates/user.pt")
    def restore_party(self):
        return self._membership(MembershipState.active, lambda names: _("${name} now acts for ${party}.",
                                                                        mapping=names))

    @view_config(name="party-role", request_method="POST", renderer="portal:admin/templates/user.pt")
    def party_role(self):
        """The user's role in one of its parties (what it sees there); audited."""
        role = self.request.POST.get("role", "")
        if role not in set(MembershipRole):
            return self._refused(SettingRefused(_("Choose one of the roles offered.")))
        try:
            party, changed = set_membership_role(self.request.dbsession, self.request.find_service(IAuditService),
                                                 self.user, parse_id(self.request.POST.get("membership_id")), role)
        except SettingRefused as refused:
            return self._refused(refused)
        if not changed:
            return self._back(_("Nothing has changed."), "info")
        return self._back(_("The role of ${name} in ${party} has been saved.",
                            mapping={"name": self.user.full_name, "party": party.name}))

    def _membership(self, state, message):
        try:
            party = set_membership_state(self.request.dbsession, self.request.find_service(IAuditService),
                                         self.user, parse_id(self.request.POST.get("membership_id")), state,
                                         seats=seats(self.request))
        except SettingRefused as refused:
            return self._refused(refused)
        return self._back(message({"name": self.user.full_name, "party": party.name}))

    def _refused(self, refused):
        """The page again with why (400); whatever was begun is not kept."""
        self.request.tm.doom()
        return user_page(self.request, self.context, error=refused.message)

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
