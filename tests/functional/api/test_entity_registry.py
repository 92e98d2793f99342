"""Every domain's API entities in ``/api/v1/openapi.json``, from the schemas they validate with; a
vertical switched off has none there; and no browser session, a customer's included, reaches them."""
import pytest
import webtest

import portal
from portal.documents.api import DocumentApiSchema
from portal.finance.api.records import BalanceApiSchema, InvoiceApiSchema, PaymentApiSchema
from portal.identity.api import UserApiSchema
from portal.parties.api import MembershipApiSchema
from portal.utility.api import MeterApiSchema, ReadingApiSchema, SupplyPointApiSchema
from tests.conftest import login
from tests.factories import PartyFactory, customer
from tests.functional.api.conftest import bearer

SCHEMAS = {"invoices": InvoiceApiSchema, "payments": PaymentApiSchema, "balances": BalanceApiSchema,
           "supply_points": SupplyPointApiSchema, "meters": MeterApiSchema, "readings": ReadingApiSchema,
           "documents": DocumentApiSchema, "users": UserApiSchema, "memberships": MembershipApiSchema}
VERTICAL = {"invoices", "payments", "balances", "supply_points", "meters", "readings"}


def test_the_document_describes_every_entity_from_its_schema(testapp, read_key):
    doc = testapp.get("/api/v1/openapi.json", headers=bearer(read_key)).json
    schemas = doc["components"]["schemas"]
    for name, schema in SCHEMAS.items():
        assert {f"/{name}", f"/{name}/{{external_id}}"} <= set(doc["paths"])
        assert set(schemas[name]["properties"]) == {n.name for n in schema().children}
    line = schemas["invoices"]["properties"]["lines"]["items"]
    assert line["required"] == ["text", "quantity", "unit", "price", "vat_rate"]
    assert line["properties"]["vat_rate"]["maximum"] == 100
    assert schemas["readings"]["required"] == ["external_id", "meter", "reading_date", "values"]
    assert "password" not in schemas["users"]["properties"] and "password" in schemas["users"]["description"]
    assert schemas["documents"]["properties"]["visibility"]["enum"] == ["all", "chosen", "staff"]


def test_a_vertical_switched_off_has_no_entity(app_settings, tm, dbsession, read_key):
    off = portal.main({}, **dict(app_settings, **{"portal.modules": ""}))
    client = webtest.TestApp(off, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                 "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    paths = set(client.get("/api/v1/openapi.json", headers=bearer(read_key)).json["paths"])
    assert {"/documents", "/users", "/memberships"} <= paths
    assert not {f"/{name}" for name in VERTICAL} & paths
    client.get("/api/v1/invoices/X-1", headers=bearer(read_key), status=404)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_customers_session_reaches_no_entity(testapp, dbsession, name):
    login(testapp, customer(PartyFactory()).login)
    response = testapp.get(f"/api/v1/{name}/X-1", status=401)
    assert response.json["error"]["status"] == 401
