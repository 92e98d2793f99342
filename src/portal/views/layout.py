"""What every page's layout needs: user, navigation, party switcher, unread counters, languages, flashes."""
from urllib.parse import quote, urlsplit

from pyramid.csrf import get_csrf_token
from pyramid.decorator import reify
from pyramid.encode import urlencode
from pyramid.events import BeforeRender, subscriber
from sqlalchemy import String, bindparam, cast, func, select
from sqlalchemy.exc import SQLAlchemyError

from portal.attachments.services import human_size
from portal.db.lists import comma_list
from portal.formats import format_date, format_datetime, format_money, format_number
from portal.i18n import LANGUAGES, identity_or_none
from portal.kept import kept
from portal.messages.inbox import unread_by_party, unread_parties_statement
from portal.messages.models import MessageReceipt
from portal.messages.services import deliver_pending, unread_receipts
from portal.parties.models import Party
from portal.parties.resources import find_party, visible_party_ids
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.navigation import nav_items
from portal.workflows import notices
from portal.workflows.services import IWorkflowService

FLASH_QUEUES = ("success", "info", "error")
# The header's counters stop counting here ("999+"): a page costs the same however much piles up.
COUNTER_CAP = 999
# The header's links that lead to the same pages for everyone (below the root), by name, and the
# assets every page loads: kept per site address, since building each URL cost more than writing it.
HEADER_LINKS = {"account": ("account",), "password": ("account", "password"), "notices": ("account", "notices"),
                "language": ("language",), "logout": ("logout",)}
HEADER_ASSETS = {"css": "portal:static/css/portal.css", "icon": "portal:static/img/favicon.svg"}
HEADER_LINKS_CACHE = "portal.header_links"
HEADER_LINKS_CACHE_SIZE = 64


def _pair(key, value) -> str:
    """``key=value`` of a query string, as ``pyramid.encode.urlencode`` writes it."""
    return urlencode({key: value}, doseq=True)


def _count_upto(statement, cap):
    return select(func.count()).select_from(statement.limit(cap + 1).subquery()).scalar_subquery()


def counters_statement(scoped=False):
    """The header's counters in one statement, for the user bound as ``user_id``: unread messages
    (on the parties bound as the list ``party_ids`` when ``scoped``) and unread notices, each
    counted up to COUNTER_CAP + 1, whether any unread message was never delivered, and the ids of
    up to two parties holding unread messages ("12,15": where the messages counter leads)."""
    user_id = bindparam("user_id")
    parties = bindparam("party_ids", expanding=True) if scoped else None
    receipts = unread_receipts(user_id, parties)
    holding = unread_parties_statement(user_id, parties).subquery()
    return select(
        _count_upto(receipts, COUNTER_CAP),
        receipts.where(MessageReceipt.delivered_at.is_(None)).exists(),
        _count_upto(notices.unread_notices(user_id), COUNTER_CAP),
        select(comma_list(cast(holding.c.party_id, String))).scalar_subquery(),
    )


# Built once, for those who see every party and for the rest (building one cost more than running it).
COUNTERS = {False: counters_statement(), True: counters_statement(scoped=True)}


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
    def links(self) -> dict:
        """The header's fixed links and assets (``HEADER_LINKS``, ``HEADER_ASSETS``, ``root``), as
        ``request.resource_url`` and ``static_url`` write them, made once per site address."""
        request = self.request

        def make():
            links = {name: request.resource_url(self.root, *path) for name, path in HEADER_LINKS.items()}
            links.update((name, request.static_url(asset)) for name, asset in HEADER_ASSETS.items())
            links["root"] = request.resource_url(self.root)
            return links

        return kept(request.registry, HEADER_LINKS_CACHE, request.application_url, make, HEADER_LINKS_CACHE_SIZE)

    @reify
    def _list_url(self):
        """This page's resource's URL and its query string's pairs, each encoded once for all its links."""
        query = dict(self.request.GET)
        return self.request.resource_url(self.context), {key: _pair(key, value) for key, value in query.items()}

    def query_url(self, **changes) -> str:
        """This page's URL with ``changes`` made to its query string (a sort link, the pager's pages):
        what ``request.resource_url(context, query=dict(request.GET, **changes))`` writes. Only the
        changed pairs are encoded (a key keeps its place, a new one comes last, as in that dict)."""
        base, pairs = self._list_url
        pairs = dict(pairs)
        for key, value in changes.items():
            pairs[key] = _pair(key, value)
        return base + "?" + "&".join(pairs.values())

    def sort_link(self, sort, key) -> dict:
        """The attributes of the column title that sorts the list by ``key`` (for ``tal:attributes``):
        its URL, on the first page and in the other direction when the list is sorted by it already,
        and its class, which says how the list is sorted: ``tal:attributes="layout.sort_link(sort,'name')"``
        (Chameleon takes the expression for a mapping of attributes only when it holds no space). A
        macro wrote the link before, and its call cost four times the link itself (some 250,000
        instructions a link, six links a page)."""
        if sort.key != key:
            css = "sort"
        else:
            css = "sort sorted desc" if sort.descending else "sort sorted asc"
        return {"href": self.query_url(sort=sort.token(key), page=1), "class": css}

    @reify
    def here(self):
        """This page's path and query, or "/" when they are not valid UTF-8."""
        try:
            return self.request.path_qs
        except UnicodeDecodeError:
            return "/"

    @reify
    def identity(self):
        return identity_or_none(self.request)

    @reify
    def user(self):
        return None if self.identity is None else self.identity.user

    @reify
    def current_party(self):
        resource = find_party(self.context)
        return None if resource is None else resource.party

    @reify
    def has_switcher(self) -> bool:
        """Whether the header offers a party switcher: a customer of two parties or more (asked without a query)."""
        return self.identity is not None and len(self.identity.party_ids) > 1

    @reify
    def my_parties(self):
        """The customer's own parties, for the switcher (staff use the directory)."""
        if self.identity is None or not self.identity.party_ids:
            return []
        return self.request.dbsession.scalars(
            select(Party).where(Party.id.in_(self.identity.party_ids)).order_by(Party.name, Party.id)
        ).all()

    @reify
    def path(self):
        """This page's path, without the query."""
        return self.here.split("?", 1)[0]

    @reify
    def nav(self):
        """The header's links, as the enabled packages registered them (views/navigation.py)."""
        return nav_items(self)

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

    # --- unread counters (messages are delivered by being counted here) -----------------
    @reify
    def _counting(self) -> bool:
        """Counters for a logged-in user, on error pages too ("not found", "forbidden"), but not on a
        database error or a server error page (the database may be what failed)."""
        exception = getattr(self.request, "exception", None)
        if self.user is None or exception is None:
            return self.user is not None
        return not isinstance(exception, SQLAlchemyError) and getattr(exception, "code", 500) < 500

    @reify
    def _message_parties(self):
        """The ids of the parties whose messages this user may see (a sorted list), None for all."""
        return visible_party_ids(self.identity)

    @reify
    def _unread(self):
        """(unread messages, whether any of them was never delivered, unread notices, up to two
        parties holding unread messages): one statement."""
        scope = self._message_parties
        params = {"user_id": self.user.id} if scope is None else {"user_id": self.user.id, "party_ids": scope}
        return self.request.dbsession.execute(COUNTERS[scope is not None], params).one()

    @reify
    def unread_messages(self):
        """Messages someone else wrote to this user that they have not opened yet (up to COUNTER_CAP + 1).

        Showing this counter on a page (GET, not an error page) is what
        delivers the messages counted in it: see services/messages.py.
        """
        if not self._counting:
            return 0
        request = self.request
        unread, undelivered, _notices, _parties = self._unread
        if undelivered and request.method == "GET" and getattr(request, "exception", None) is None:
            parties = self.root["p"]
            deliver_pending(request.find_service(IWorkflowService), self.user.id,
                            lambda party_id: parties[str(party_id)], self._message_parties)
        return unread

    @reify
    def unread_notices(self):
        return self._unread[2] if self._counting else 0

    @staticmethod
    def counter(count: int) -> str:
        """A counter as the header shows it: past the cap, "999+"."""
        return f"{COUNTER_CAP}+" if count > COUNTER_CAP else str(count)

    @reify
    def unread_by_party(self) -> dict[int, int]:
        """This user's unread messages on each of their parties, for the party switcher (a query only
        when the switcher is shown and something is unread)."""
        if not self.has_switcher or not self.unread_messages:
            return {}
        return unread_by_party(self.request.dbsession, self.user.id, self._message_parties)

    @reify
    def _unread_parties(self) -> list[int]:
        """Up to two parties holding this user's unread messages: enough to tell one from several."""
        if not self.unread_messages:
            return []
        if self.has_switcher:  # the switcher's counts already say where they are
            return sorted(self.unread_by_party)[:2]
        holding = self._unread[3]
        return sorted(int(party_id) for party_id in holding.split(",")) if holding else []

    @reify
    def messages_url(self):
        """Where the messages counter leads: where the unread ones are. This party's messages when
        every unread one is here (or none is, on a party's page); that party's when they are all in
        one party and this page is of none; ``/messages/`` when they are in several parties or in
        another than this page's. With nothing unread elsewhere, a customer of one party goes to its
        messages, anyone else to all their conversations at ``/messages/``."""
        if not self._counting:
            return None
        request = self.request
        party = find_party(self.context)
        if party is not None and not request.has_permission(Permission.MessagesView, party):
            party = None
        unread = self._unread_parties
        if party is not None and set(unread) <= {party.party.id}:
            return request.resource_url(party, "messages", "")
        if len(unread) == 1 and party is None:
            return self._party_messages_url(unread[0])
        if unread:
            return request.resource_url(self.root, "messages", "")
        identity = self.identity
        if len(identity.party_ids) == 1 and not identity.managed_party_ids and not identity.is_staff:
            (party_id,) = identity.party_ids  # one party: no query for the list of them
            return self._party_messages_url(party_id)
        return request.resource_url(self.root, "messages", "", query={"show": "all"})

    def _party_messages_url(self, party_id):
        return self.request.resource_url(self.root, "p", str(party_id), "messages", "")

    def date(self, value):
        """A date as people of the page's language write it."""
        return format_date(value, self.language, "medium")

    def datetime(self, value):
        """A moment in the company's time zone, written the language's way."""
        return format_datetime(value, self.request.registry["portal_tz"], self.language, "short")

    def money(self, value, currency):
        """An amount in its currency, written the language's way: "1 234,50 ₽"."""
        return format_money(value, currency, self.language)

    def number(self, value, price=False):
        """A quantity or a rate without trailing zeros ("1 234,5"); a price with two decimals at least."""
        return format_number(value, self.language, "#,##0.00##" if price else "#,##0.###")

    def filesize(self, size):
        return human_size(size, self.language)

    def party_url(self, party):
        return self.request.resource_url(self.root, "p", str(party.id))


# Printable ASCII is kept as it is (a target's own %-escapes too); anything else is percent-encoded.
URL_SAFE = "".join(chr(code) for code in range(0x21, 0x7F))
MAX_NEXT = 2000


def safe_next(request, url, default):
    """A redirect target only when it stays on this site (no open redirects), written so that it is
    a valid header: control characters (CR, LF, tab…: header injection, or dropped by browsers into
    another address) refuse it, anything not plain ASCII is percent-encoded as UTF-8."""
    if not url or not isinstance(url, str) or len(url) > MAX_NEXT:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    try:
        encoded = quote(url, safe=URL_SAFE)
    except UnicodeEncodeError:  # lone surrogates: no such address
        return default
    return encoded if len(encoded) <= 3 * MAX_NEXT else default


@subscriber(BeforeRender)
def add_layout(event):
    request = event.get("request")
    if request is not None and "layout" not in event:
        event["layout"] = Layout(request, event.get("context"))
