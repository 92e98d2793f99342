"""Where registration lives in the tree: ``/register/`` (public: the form, the e-mail's link, the
phone's code) and the back office's ``/backoffice/registrations/`` (requests to act for a company,
each at ``<id>/``; ``letter`` makes an account by post)."""
from pyramid.authorization import DENY_ALL, Allow

from portal.db.ids import id_or_key_error
from portal.identity.models import Role
from portal.onboarding.models import MembershipRequest
from portal.onboarding.resources import PublicArea
from portal.security.permissions import Permission
from portal.security.principals import role_principal

DECIDING_ROLES = (Role.backoffice, Role.admin)
READING_ROLES = (Role.head,)


class RegisterArea(PublicArea):
    """``/register/``: anyone may register; ``confirm``, ``phone``, ``sent`` and ``done`` are its views."""

    segment = "register"


class RegistrationsArea:
    """``/backoffice/registrations/``: the back office (and admins) decide, the head reads; nobody else
    (DENY_ALL: the back office area's grants do not reach here)."""

    segment = "registrations"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.__parent__.dbsession

    def __acl__(self):
        deciding = (Permission.RegistrationsView, Permission.RegistrationsDecide)
        return ([(Allow, role_principal(role), deciding) for role in DECIDING_ROLES]
                + [(Allow, role_principal(role), Permission.RegistrationsView) for role in READING_ROLES]
                + [DENY_ALL])

    def __getitem__(self, key):
        row = self.dbsession.get(MembershipRequest, id_or_key_error(key))
        if row is None:
            raise KeyError(key)
        return MembershipRequestResource(row, self)


class MembershipRequestResource:
    """One request to act for a company; inherits the registrations' ACL."""

    def __init__(self, row: MembershipRequest, parent: RegistrationsArea):
        self.membership_request = row
        self.__name__ = str(row.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession
