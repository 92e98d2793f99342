"""A request body larger than any form needs is refused before it is read (413, our error page),
and the server in front is told the same limit (waitress's max_request_body_size)."""
import configparser
import io

import pytest
import webtest

from portal.security.limits import DEFAULT_FORM_OVERHEAD, max_request_bytes
from tests.conftest import HERE, csrf_token


class Unreadable(io.RawIOBase):
    """A request body that fails the test when anything reads it."""

    def readable(self):
        return True

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readinto = readline = read


def post_with_length(testapp, path, length, **environ):
    request = webtest.TestRequest.blank(path, method="POST", environ=dict(
        testapp.extra_environ, CONTENT_LENGTH=str(length), CONTENT_TYPE="multipart/form-data; boundary=x",
        **environ))
    request.environ["wsgi.input"] = Unreadable()
    return request


@pytest.mark.parametrize("path", ["/login", "/language", "/p/1/tickets/new", "/nowhere"])
def test_an_oversized_body_is_refused_unread_with_our_page(testapp, app, path):
    limit = max_request_bytes(app.registry.settings)
    response = testapp.do_request(post_with_length(testapp, path, limit + 1), status=413)
    assert "Too large" in response.text and "<html" in response.text
    assert "Strict-Transport-Security" not in response.headers  # development settings
    assert response.headers["Content-Security-Policy"]


def test_a_body_within_the_limit_is_read_as_usual(testapp):
    token = csrf_token(testapp)
    response = testapp.post("/language", {"csrf_token": token, "language": "ru", "next": "/login"}, status=303)
    assert response.location.endswith("/login")


def test_a_chunked_body_without_a_length_is_left_to_the_server(testapp):
    # waitress counts a chunked body against max_request_body_size; the app sees its length.
    token = csrf_token(testapp)
    testapp.post("/language", {"csrf_token": token, "language": "en"}, status=303)


def test_the_limit_follows_the_upload_limit_unless_set():
    assert max_request_bytes({"portal.uploads.max_bytes": "1000"}) == 1000 + DEFAULT_FORM_OVERHEAD
    assert max_request_bytes({}) == 10 * 1024 * 1024 + DEFAULT_FORM_OVERHEAD
    assert max_request_bytes({"portal.max_request_bytes": "5000", "portal.uploads.max_bytes": "1000"}) == 5000


@pytest.mark.parametrize("ini", ["development.ini", "production.ini"])
def test_the_server_refuses_what_the_app_would(ini):
    config = configparser.ConfigParser(interpolation=None)
    config.read(f"{HERE}/{ini}")
    app, server = config["app:main"], config["server:main"]
    uploads = int(app["portal.uploads.max_bytes"])
    limit = max_request_bytes(dict(app))
    assert uploads < limit <= int(server["max_request_body_size"]) < 2 * limit
