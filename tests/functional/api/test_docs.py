"""``/api/v1/docs``: the reference for people, rendered from the OpenAPI document, public and local."""
import re

from portal.parties.schemas import ContractApiSchema
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff
from tests.functional.api.conftest import bearer


def test_the_page_lists_every_operation_of_the_document(testapp, read_key):
    document = testapp.get("/api/v1/openapi.json", headers=bearer(read_key)).json
    page = testapp.get("/api/v1/docs")
    assert page.content_type == "text/html"
    for path, item in document["paths"].items():
        for method in ("get", "post", "delete"):
            if method in item:
                assert f"{method.upper()} {path}" in page.text, (method, path)
    assert "Set-Cookie" not in page.headers  # no session for a page under /api/


def test_fields_types_required_and_limits_of_an_entity(testapp):
    page = testapp.get("/api/v1/docs")
    contracts = page.html.find(id="schema-contracts").find_next("table")
    rows = {tr.find("td").get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in contracts.find("tbody").find_all("tr")}
    assert set(rows) == {node.name for node in ContractApiSchema().children}
    assert rows["valid_from"][1:3] == ["string (date)", "yes"]
    assert rows["valid_to"][1:3] == ["string (date) | null", "no"]
    assert rows["number"][4] == "minLength: 1, maxLength: 64"
    assert rows["number"][3] == "Number"
    # The types of the answers link to their schemas on the page.
    assert page.html.find("a", href="#schema-BatchResult") is not None
    assert page.html.find(id="schema-BatchResult") is not None


def test_the_page_loads_nothing_from_elsewhere(testapp):
    page = testapp.get("/api/v1/docs")
    sources = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert sources and all(s.startswith(("/", "http://localhost/")) for s in sources), sources
    assert "<script" not in page.text


def test_the_page_is_public_and_shows_no_record(testapp, dbsession):
    PartyFactory(external_id="P-SECRET-7", name="Secret Holding")
    anonymous = testapp.get("/api/v1/docs")
    login(testapp, customer().login)
    for page in (anonymous, testapp.get("/api/v1/docs")):
        assert page.status_int == 200
        assert "Secret Holding" not in page.text and "P-SECRET-7" not in page.text
    # The document and the records still need a key.
    testapp.get("/api/v1/openapi.json", status=401)
    testapp.get("/api/v1/parties/P-SECRET-7", status=401)


def test_the_page_answers_in_the_callers_language(testapp):
    page = testapp.get("/api/v1/docs", headers={"Accept-Language": "ru"})
    assert page.html.find("html")["lang"] == "ru"


def test_the_integration_page_links_to_the_reference(testapp):
    staff("admin", login="docsadmin")
    login(testapp, "docsadmin")
    link = testapp.get("/admin/integration/").html.find("a", href="http://localhost/api/v1/docs")
    assert link is not None
    assert testapp.get(link["href"]).status_int == 200
