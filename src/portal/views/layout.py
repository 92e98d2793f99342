"""What every page's layout needs: user, navigation, party switcher, languages, flashes."""
from urllib.parse import urlsplit

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from pyramid.csrf import get_csrf_token
from pyramid.decorator import reify
from pyramid.events import BeforeRender, subscriber
from sqlalchemy import select

from ..i18n import LANGUAGES, _
from ..models import Party, Role
from ..resources import Root, find_party
from ..security.permissions import Permission

FLASH_QUEUES = ("success", "info", "error")


class NavItem:
    def __init__(self, title, url, active=False):
        self.title, self.url, self.active = title, url, active


class Layout:
    """Built lazily per render: a page that needs no party list runs no query for it."""

    def __init__(self, request, context):
        self.request = request
        self.context = context

    @reify
    def root(self):
        """The traversal root, also on error pages raised before traversal ran."""
        root = getattr(self.request, "root", None)
        return root if root is not None else Root(self.request)

    @reify
    def here(self):
        """This page's path and query, or "/" when they are not valid UTF-8."""
        try:
            return self.request.path_qs
        except UnicodeDecodeError:
            return "/"

    @reify
    def identity(self):
        return self.request.identity

    @reify
    def user(self):
        return None if self.identity is None else self.identity.user

    @reify
    def current_party(self):
        resource = find_party(self.context)
        return None if resource is None else resource.party

    @reify
    def my_parties(self):
        """The customer's own parties, for the switcher (staff use the directory)."""
        if self.identity is None or not self.identity.party_ids:
            return []
        return self.request.dbsession.scalars(
            select(Party).where(Party.id.in_(self.identity.party_ids)).order_by(Party.name, Party.id)
        ).all()

    @reify
    def nav(self):
        request, identity = self.request, self.identity
        if identity is None:
            return []
        items = []
        path = self.here.split("?", 1)[0]
        if identity.is_staff or len(identity.party_ids) != 1:
            title = _("Parties") if identity.is_staff else _("My companies")
            url = request.resource_url(self.root, "p")
            items.append(NavItem(title, url, path.rstrip("/") == "/p"))
        else:
            (party_id,) = identity.party_ids
            url = request.resource_url(self.root, "p", str(party_id))
            items.append(NavItem(_("My company"), url, path.startswith(f"/p/{party_id}/")))
        if identity.has_role(Role.admin):
            admin = self.root["admin"]
            if request.has_permission(Permission.AdminUsers, admin):
                items.append(NavItem(_("Users"), request.resource_url(admin, "users"), path.startswith("/admin/users")))
                items.append(NavItem(_("Audit log"), request.resource_url(admin, "audit"), path.startswith("/admin/audit")))
        items.append(NavItem(_("Account"), request.resource_url(self.root, "account"), path.startswith("/account")))
        return items

    @reify
    def languages(self):
        return sorted(LANGUAGES.items())

    @reify
    def language(self):
        return self.request.locale_name

    @reify
    def csrf_token(self):
        return get_csrf_token(self.request)

    @reify
    def flashes(self):
        session = self.request.session
        return [(queue, msg) for queue in FLASH_QUEUES for msg in session.pop_flash(queue)]

    def date(self, value):
        """A date as people of the page's language write it."""
        return format_date(value, format="medium", locale=self.language)

    def datetime(self, value):
        """A moment in the company's time zone, written the language's way."""
        return format_datetime(value, format="short", tzinfo=self.request.registry["portal_tz"],
                               locale=self.language)

    def filesize(self, size):
        if size < 1024:
            return f"{size} B"
        if size < 1024 * 1024:
            return format_decimal(size / 1024, "#,##0.#", locale=self.language) + " KB"
        return format_decimal(size / 1024 / 1024, "#,##0.#", locale=self.language) + " MB"

    def party_url(self, party):
        return self.request.resource_url(self.root, "p", str(party.id))


def safe_next(request, url, default):
    """A redirect target only when it stays on this site (no open redirects)."""
    if not url or not isinstance(url, str) or len(url) > 2000:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


@subscriber(BeforeRender)
def add_layout(event):
    request = event.get("request")
    if request is not None and "layout" not in event:
        event["layout"] = Layout(request, event.get("context"))
