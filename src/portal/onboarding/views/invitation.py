"""``/invite/<token>``: the person invited by staff chooses the password of the login made for them."""
from pyramid.view import view_config

from portal.i18n import _
from portal.onboarding.models import TokenPurpose
from portal.onboarding.resources import InvitationLinks, TokenLink
from portal.onboarding.views.password import LinkPasswordView
from portal.security.permissions import Permission

INVITATION = dict(context=TokenLink, name="", permission=Permission.Public, containment=InvitationLinks,
                  renderer="portal:onboarding/templates/invitation.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **INVITATION)
@view_config(attr="post", request_method="POST", **INVITATION)
class AcceptInvitationView(LinkPasswordView):
    """The login's password, chosen once; then the person logs in with it."""

    buttons = (("submit", _("Set password")),)
    formid = "accept-invitation"
    purpose = TokenPurpose.invitation
    audit_action = "invitation.accept"
    done_message = _("Welcome! Your password is set: log in with your login “${login}” and that password.")
