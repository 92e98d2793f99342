"""The public pages a link in an e-mail opens: ``/password/`` (forgot, ``reset/<token>``) and
``/invite/<token>``. Anyone may open them; what a token allows is the view's to check (a forged,
used or expired one gets the same page)."""
from pyramid.authorization import DENY_ALL, Allow, Everyone

from portal.security.permissions import Permission


class PublicArea:
    """A public area (``segment`` is its URL segment): nothing below it needs more than ``Permission.Public``."""

    segment = ""

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    def __acl__(self):
        return [(Allow, Everyone, Permission.Public), DENY_ALL]


class TokenLink:
    """``<container>/<token>``: one e-mailed link; the token is only looked up by the view."""

    def __init__(self, token: str, parent):
        self.__name__ = token
        self.__parent__ = parent
        self.token = token


class TokenLinks(PublicArea):
    """A folder of e-mailed links; any name in it is a ``TokenLink``."""

    def __getitem__(self, token):
        return TokenLink(token, self)


class ResetLinks(TokenLinks):
    """``/password/reset/``."""

    segment = "reset"


class InvitationLinks(TokenLinks):
    """``/invite/``."""

    segment = "invite"


class PasswordArea(PublicArea):
    """``/password/``: ``forgot`` (a view) and ``reset/<token>``."""

    segment = "password"

    def __getitem__(self, name):
        if name == ResetLinks.segment:
            return ResetLinks(self)
        raise KeyError(name)
