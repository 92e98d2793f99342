"""Administration of users: list, set a password, block and unblock; the audit log."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults
from sqlalchemy import select

from portal.admin.resources import AdminArea, UserResource, UsersContainer
from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.models import User, UserState
from portal.identity.schemas import SetPasswordSchema
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


@view_config(name="", attr="get", request_method=("GET", "HEAD"), **USER_PAGE)
@view_config(name="set-password", attr="post", request_method="POST", **USER_PAGE)
class SetPasswordView(FormView):
    """One user as an admin sees it, with the form that sets a new password (the sessions end, audited)."""

    schema_class = SetPasswordSchema
    buttons = (("submit", _("Set password")),)
    formid = "set-password"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user = context.user

    def bind_kwargs(self):
        return {"passwords": self.request.find_service(IPasswordService), "login": self.user.login}

    def action(self):
        return self.request.resource_url(self.context, "set-password")

    def page(self, form_html):
        return {"user": self.user, "form": form_html}

    def success(self, appstruct, upload):
        passwords = self.request.find_service(IPasswordService)
        self.user.password_hash = passwords.hash(appstruct["new_password"])
        self.request.find_service(IAuthService).unlock(self.user)
        self.request.find_service(IAuthService).end_all_sessions(self.user.id)
        self.request.find_service(IAuditService).record("user.set_password", f"user:{self.user.id}")
        self.request.session.flash(translate(self.request, _(
            "The password has been set; the user's sessions have ended.")), "success")
        return HTTPSeeOther(self.request.resource_url(self.context))


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
