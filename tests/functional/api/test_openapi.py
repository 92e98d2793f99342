"""``GET /api/v1/openapi.json``: an OpenAPI 3.1 document made from the registered entities' schemas."""
from portal.parties.schemas import ContractApiSchema, PartyApiSchema
from tests.functional.api.conftest import bearer


def test_the_document_describes_every_entity_from_its_schema(testapp, read_key):
    doc = testapp.get("/api/v1/openapi.json", headers=bearer(read_key)).json
    assert doc["openapi"] == "3.1.0"
    assert {"/parties", "/parties/{external_id}", "/contracts", "/contracts/{external_id}"} <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    assert set(schemas["parties"]["properties"]) == {n.name for n in PartyApiSchema().children}
    assert set(schemas["contracts"]["properties"]) == {n.name for n in ContractApiSchema().children}
    assert schemas["contracts"]["properties"]["valid_from"]["format"] == "date"
    assert schemas["parties"]["required"] == ["external_id", "name"]
    body = doc["paths"]["/parties"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"][1]["properties"]["items"]["maxItems"] == 1000
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_document_needs_a_key(testapp):
    testapp.get("/api/v1/openapi.json", status=401)
