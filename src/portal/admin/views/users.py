"""Administration of users: list, set a password, block and unblock; the audit log."""
import deform
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
from portal.views.downloads import xlsx_download
from portal.views.listing import list_page
from portal.views.pagination import Listing
from portal.views.xlsx import Column

USER_SORTS = {"login": User.login, "name": User.last_name, "state": User.state, "last_login": User.last_login_at}
USER_SEARCH = (User.login, User.last_name, User.email)
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


def user_listing(params) -> Listing:
    """Users searched and sorted as ``params`` say: the user list page and its export."""
    return Listing.build(
        select(User), params,
        search=USER_SEARCH, sorts=USER_SORTS, default_sort="login", tiebreak=User.id,
    )


@view_config(context=UsersContainer, name="", permission=Permission.AdminUsers,
             request_method=("GET", "HEAD"), renderer="portal:admin/templates/users.pt")
def user_list(context, request):
    listing = user_listing(request.params)
    page = list_page(request, listing.statement)
    return {
        "page": page,
        "q": listing.q,
        "sort": listing.sort,
        "export_url": request.resource_url(context, "export.xlsx", query=listing.query),
    }


@view_config(context=UsersContainer, name="export.xlsx", permission=Permission.AdminUsers,
             request_method=("GET", "HEAD"))
def user_list_export(context, request):
    """Every user the list finds (same search and order), as .xlsx."""
    listing = user_listing(request.params)
    return xlsx_download(request, listing.statement, USER_EXPORT_COLUMNS, title=_("Users"), ascii_name="users")


@view_defaults(context=UserResource, permission=Permission.AdminUsers)
class UserAdminViews:
    """One user as an admin sees it; every change is audited."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.user = context.user

    def password_form(self):
        schema = SetPasswordSchema().bind(
            request=self.request,
            passwords=self.request.find_service(IPasswordService),
            login=self.user.login,
        )
        return deform.Form(
            schema,
            buttons=(deform.Button("submit", _("Set password")),),
            formid="set-password",
            action=self.request.resource_url(self.context, "set-password"),
        )

    def page(self, form_html, status=200):
        self.request.response.status = status
        return {"user": self.user, "form": form_html}

    @view_config(name="", request_method=("GET", "HEAD"), renderer="portal:admin/templates/user.pt")
    def show(self):
        return self.page(self.password_form().render())

    @view_config(name="set-password", request_method="POST", renderer="portal:admin/templates/user.pt")
    def set_password(self):
        form = self.password_form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return self.page(failure.render(), status=400)
        passwords = self.request.find_service(IPasswordService)
        self.user.password_hash = passwords.hash(appstruct["new_password"])
        self.user.failed_logins = 0
        self.user.locked_until = None
        self.request.find_service(IAuthService).end_all_sessions(self.user.id)
        self.request.find_service(IAuditService).record("user.set_password", f"user:{self.user.id}")
        return self._back(_("The password has been set; the user's sessions have ended."))

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
        self.user.failed_logins = 0
        self.user.locked_until = None
        self.request.find_service(IAuditService).record("user.unblock", f"user:{self.user.id}")
        return self._back(_("The user has been unblocked."))

    def _back(self, message, queue="success"):
        self.request.session.flash(translate(self.request, message), queue)
        return HTTPSeeOther(self.request.resource_url(self.context))
