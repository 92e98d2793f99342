"""Identity: who logs in — users, roles, passwords, login sessions, lockouts — and ``/account/``."""
from portal.i18n import _
from portal.identity.resources import AccountArea
from portal.security.permissions import Permission
from portal.views.navigation import area_link


def includeme(config):
    config.include(".passwords")
    config.include(".auth")
    config.add_root_area("account", AccountArea)
    config.add_nav_item("account", area_link(_("Account"), "account", Permission.AccountView), order=1000)
    config.include(".api")
    config.scan(".views")
