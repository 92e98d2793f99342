"""The layout's links: a list's sort and pager links, and the header's fixed links, read as Pyramid
writes them, without building each URL again on every page."""
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid import testing
from pyramid.url import URLMethodsMixin
from webob.multidict import MultiDict

from portal.views.layout import HEADER_LINKS, HEADER_LINKS_CACHE, Layout
from portal.views.pagination import SortSpec
from tests.conftest import login
from tests.factories import UserFactory


class Resource:
    def __init__(self, name, parent):
        self.__name__, self.__parent__ = name, parent


keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(query=st.lists(st.tuples(keys, values), max_size=6), sort=values, page=st.integers(1, 10_000))
def test_a_query_url_is_what_resource_url_writes(query, sort, page):
    root = Resource("", None)
    context = Resource("requests", Resource("12", Resource("p", root)))
    with testing.testConfig():
        # The query string as WebOb parses what a browser sent, repeated keys too (a DummyRequest's
        # ``query_string`` alone would leave its GET empty).
        request = testing.DummyRequest(params=MultiDict(parse_qsl(urlencode(query), keep_blank_values=True)))
        layout = Layout(request, context)
        expected = request.resource_url(context, query=dict(request.GET, sort=sort, page=1))
        assert layout.query_url(sort=sort, page=1) == expected
        assert layout.query_url(page=page) == request.resource_url(context, query=dict(request.GET, page=page))


def test_the_header_builds_its_fixed_links_once_per_site_address(testapp, monkeypatch):
    user = UserFactory()
    login(testapp, user.login)
    first = testapp.get("/account/")
    built = []
    original = URLMethodsMixin.resource_url

    def recording(self, resource, *elements, **kw):
        built.append(elements)
        return original(self, resource, *elements, **kw)

    monkeypatch.setattr(URLMethodsMixin, "resource_url", recording)
    again = testapp.get("/account/")
    assert not [elements for elements in built if elements in HEADER_LINKS.values()]
    for page in (first, again):
        for path in ("/account", "/account/password", "/account/notices", "/language", "/logout"):
            assert f'"http://localhost{path}"' in page.text, path
    # Another site address (a second host name) gets its own links, not the first one's.
    other = testapp.get("/login", extra_environ={"HTTP_HOST": "portal.example:8443"})
    assert 'action="http://portal.example:8443/language"' in other.text
    assert 'href="http://portal.example:8443/static/' in other.text
    assert "http://localhost" not in other.text
    assert set(testapp.app.registry[HEADER_LINKS_CACHE]) >= {"http://localhost", "http://portal.example:8443"}


def test_a_list_encodes_its_query_string_once_and_each_link_only_what_it_changes(monkeypatch):
    from portal.views import layout as layout_module

    encoded = []
    original = layout_module._pair
    monkeypatch.setattr(layout_module, "_pair", lambda key, value: encoded.append(key) or original(key, value))
    context = Resource("requests", Resource("12", Resource("p", Resource("", None))))
    with testing.testConfig():
        request = testing.DummyRequest(params=MultiDict(state="closed", type="3", sort="-created", page="2"))
        layout = Layout(request, context)
        first = layout.query_url(sort="subject", page=1)
        assert sorted(encoded) == ["page", "page", "sort", "sort", "state", "type"]
        encoded.clear()
        links = [layout.query_url(sort=key, page=1) for key in ("id", "state", "created", "due")]
        links.append(layout.query_url(page=3))
        assert encoded == ["sort", "page"] * 4 + ["page"]
    assert first == "http://example.com/p/12/requests/?state=closed&type=3&sort=subject&page=1"
    assert links[-1] == "http://example.com/p/12/requests/?state=closed&type=3&sort=-created&page=3"


def test_a_sort_link_toggles_its_own_column_and_starts_others_ascending():
    root = Resource("", None)
    context = Resource("users", Resource("admin", root))
    with testing.testConfig():
        request = testing.DummyRequest(params=MultiDict([("q", "ivan"), ("page", "3"), ("sort", "login")]))
        layout = Layout(request, context)
        ascending = SortSpec("login", descending=False)
        assert layout.sort_link(ascending, "login") == {
            "href": "http://example.com/admin/users/?q=ivan&page=1&sort=-login", "class": "sort sorted asc"}
        assert layout.sort_link(SortSpec("login", descending=True), "login") == {
            "href": "http://example.com/admin/users/?q=ivan&page=1&sort=login", "class": "sort sorted desc"}
        assert layout.sort_link(ascending, "name") == {
            "href": "http://example.com/admin/users/?q=ivan&page=1&sort=name", "class": "sort"}

