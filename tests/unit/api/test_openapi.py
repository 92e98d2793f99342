"""The colander → JSON Schema converter behind /api/v1/openapi.json."""
import colander

from portal.api.openapi import mapping_schema, node_schema


class Row(colander.MappingSchema):
    external_id = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=64))
    kind = colander.SchemaNode(colander.String(), validator=colander.OneOf(["a", "b"]))
    amount = colander.SchemaNode(colander.Decimal(), missing=colander.drop)
    due = colander.SchemaNode(colander.Date(), missing=colander.drop)
    count = colander.SchemaNode(colander.Integer(), validator=colander.Range(min=0), missing=colander.drop)


def test_types_validators_and_optional_fields():
    schema = mapping_schema(Row())
    props = schema["properties"]
    assert schema["required"] == ["external_id", "kind"] and schema["additionalProperties"] is False
    assert props["external_id"] == {"type": "string", "minLength": 1, "maxLength": 64, "title": "External Id"}
    assert props["kind"]["enum"] == ["a", "b"]
    assert props["due"]["type"] == ["string", "null"] and props["due"]["format"] == "date"
    assert props["count"] == {"type": ["integer", "null"], "minimum": 0, "title": "Count"}
    assert {"type": "null"} in props["amount"]["anyOf"]


def test_email_is_a_format():
    node = colander.SchemaNode(colander.String(), validator=colander.Email(), name="email")
    assert node_schema(node)["format"] == "email"
