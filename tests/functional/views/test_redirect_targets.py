"""A crafted ``next`` never breaks the answer: a target that is not plain ASCII is percent-encoded,
one with control characters (a header injection) is refused for the default; every Location is a
valid latin-1 header value without CR or LF, and stays on this site."""
import pytest

from portal.views.layout import safe_next
from tests.conftest import csrf_token, login
from tests.factories import staff

NASTY = ["/p/4/✓", "/p/4/%E2%9C%93", "/\r\nX:1", "/\nSet-Cookie:x=1", "/\rX", "/a\x00b", "/\t/evil.example",
         "/a\u2028b", "/ä?q=ü#frag", "/\x7f", "/caf\u00e9", "/%0d%0aX:1"]


def assert_clean_location(response):
    location = response.headers["Location"]
    location.encode("latin-1")
    assert "\r" not in location and "\n" not in location
    assert all(0x20 < ord(c) < 0x7f for c in location), location
    assert location.startswith("http://localhost/")
    return location


@pytest.mark.parametrize("target", NASTY)
def test_language_switch_with_a_crafted_next(testapp, target):
    token = csrf_token(testapp)
    response = testapp.post("/language", {"csrf_token": token, "language": "ru", "next": target}, status=303)
    assert_clean_location(response)


@pytest.mark.parametrize("target", ["/p/4/%E2%9C%93", "/%0d%0aX:1", "/%0aX:1", "/caf%C3%A9"])
def test_login_page_with_a_crafted_next_in_its_query(testapp, target):
    page = testapp.get(f"/login?next={target}", status=200)
    user = staff("service")
    response = login(testapp, user.login, next_url=target)
    assert_clean_location(response)
    # Logged in, the login page sends on at once.
    again = testapp.get(f"/login?next={target}", status=303)
    assert_clean_location(again)
    assert page.forms["login"]


def test_non_ascii_targets_are_percent_encoded_and_control_characters_refused():
    assert safe_next(None, "/p/4/✓", "/") == "/p/4/%E2%9C%93"
    assert safe_next(None, "/p/4/%E2%9C%93?a=%20b", "/") == "/p/4/%E2%9C%93?a=%20b"
    assert safe_next(None, "/a b", "/") == "/a%20b"
    assert safe_next(None, "/\r\nX:1", "/home") == "/home"
    assert safe_next(None, "/\t/evil.example", "/home") == "/home"
    assert safe_next(None, "/ok/", "/home") == "/ok/"
