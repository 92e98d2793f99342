"""``/account/``: the logged-in user's own profile, password, language and notices."""
from pyramid.authorization import DENY_ALL, Allow, Authenticated

from portal.security.permissions import Permission


class AccountArea:
    """``/account/``: open to every logged-in user, for their own account only."""

    __name__ = "account"

    def __init__(self, parent):
        self.__parent__ = parent

    def __acl__(self):
        return [(Allow, Authenticated, (Permission.AccountView, Permission.AccountEdit)), DENY_ALL]
