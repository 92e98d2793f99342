"""Bad input gets a clear 4xx answer in the user's language and changes nothing."""
import pytest
from sqlalchemy import func, select

from portal.identity.models import AuthSession
from tests.conftest import login
from tests.factories import PartyFactory, customer


def test_non_utf8_form_body_is_a_400(testapp, dbsession):
    page = testapp.get("/login")
    token = page.forms["login"]["csrf_token"].value
    body = b"csrf_token=" + token.encode() + b"&login=\xff\xfe&password=x"
    response = testapp.post("/login", body, content_type="application/x-www-form-urlencoded",
                            status=400, headers={"Accept-Language": "ru"})
    assert "Нечитаемый запрос" in response.text
    assert dbsession.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_non_utf8_path_is_a_400(app):
    import webtest

    # A fresh TestApp without cookies: WebTest's own cookie jar cannot read such a URL.
    response = webtest.TestApp(app).get("/p/%ff%fe/", status=400)
    assert "Unreadable request" in response.text


@pytest.mark.parametrize("path", ["/nothing", "/p/1/../../etc/passwd", "/static/../setup.cfg", "/admin/../../x"])
def test_unknown_paths_are_404_pages_without_details(testapp, path):
    response = testapp.get(path, status=404)
    assert "Traceback" not in response.text


def test_html_in_input_is_escaped(testapp):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    response = login(testapp, payload, "whatever", status=400)
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    login(testapp, customer().login)
    listing = testapp.get("/p/", params={"q": payload})
    assert "<script>alert(1)" not in listing.text


def test_party_names_are_escaped(testapp):
    party = PartyFactory(name="<b>Bold & Co</b>")
    login(testapp, customer(party).login)
    page = testapp.get(f"/p/{party.id}/")
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page.text
    assert "<b>Bold" not in page.text


def test_head_and_unexpected_methods(testapp):
    assert testapp.head("/login").status_int == 200
    testapp.put("/login", status=404)
    testapp.delete("/login", status=404)


@pytest.mark.parametrize("value", [b"%ff%fe", b"%c3%28", b"%ed%a0%80"])
def test_percent_encoded_invalid_utf8_is_a_400(testapp, value):
    token = testapp.get("/login").forms["login"]["csrf_token"].value
    body = b"csrf_token=" + token.encode() + b"&login=" + value + b"&password=x"
    testapp.post("/login", body, content_type="application/x-www-form-urlencoded", status=400)


def test_invalid_utf8_in_multipart_is_a_400(testapp):
    form = testapp.get("/login").forms["login"]
    token = form["csrf_token"].value
    boundary = "XyZ"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"login\"\r\n\r\n"
    ).encode() + b"\xff\xfe" + f"\r\n--{boundary}--\r\n".encode()
    testapp.request("/login", method="POST", body=body, status=400,
                    content_type=f"multipart/form-data; boundary={boundary}")
