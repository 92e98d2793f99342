"""How a user gets in, from the admin user page: send the invitation e-mail, issue a temporary
password (shown once, changed at the next login), turn off two-factor for someone who lost the phone
and the recovery codes. Each audited."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults

from portal.admin.resources import UserResource
from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity import two_factor
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.models import User
from portal.onboarding.invitations import InvitationRefused, invitation_lifetime, send_invitation
from portal.onboarding.temporary_passwords import issue_temporary_password
from portal.outbox.letters import letters_for
from portal.security.permissions import Permission


@view_defaults(context=UserResource, permission=Permission.AdminUsers, request_method="POST")
class UserCredentialViews:
    """The admin's means of letting a user in (the user page's "Getting in" section)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.user = context.user
        self.audit = request.find_service(IAuditService)

    def back(self, message, queue="success"):
        self.request.session.flash(translate(self.request, message), queue)
        return HTTPSeeOther(self.request.resource_url(self.context))

    @view_config(name="invite")
    def invite(self):
        """The invitation e-mail, with a link to choose the password (an earlier link dies)."""
        inviter = self.request.dbsession.get(User, self.request.authenticated_userid)
        lifetime = invitation_lifetime(self.request.registry.settings)
        try:
            send_invitation(self.request.dbsession, letters_for(self.request.registry), self.user, lifetime,
                            inviter=inviter)
        except InvitationRefused as refused:
            return self.back(refused.message, "error")
        self.audit.record("invitation.send", f"user:{self.user.id}", email=self.user.email, days=lifetime.days)
        return self.back(_("The invitation is on its way to ${email}; its link works for ${days} days.",
                           mapping={"email": self.user.email, "days": lifetime.days}))

    @view_config(name="temporary-password", renderer="portal:admin/templates/temporary_password.pt")
    def temporary_password(self):
        """A temporary password, on this page only (never in a flash message: those travel in the cookie)."""
        if self.user.id == self.request.authenticated_userid:
            return self.back(_("Change your own password on your account page."), "error")
        password = issue_temporary_password(self.request.find_service(IPasswordService),
                                            self.request.find_service(IAuthService), self.user)
        self.audit.record("user.temporary_password", f"user:{self.user.id}")
        return {"user": self.user, "password": password}

    @view_config(name="two-factor-off")
    def two_factor_off(self):
        if not two_factor.is_enabled(self.user) and not two_factor.is_being_set_up(self.user):
            return self.back(_("Two-factor login is not on for this user."), "info")
        two_factor.turn_off(self.request.dbsession, self.user)
        self.audit.record("two_factor.admin_disable", f"user:{self.user.id}")
        return self.back(_("Two-factor login is off for this user: the next login takes the password alone "
                           "(or, for staff who must have it, sets it up again)."))
