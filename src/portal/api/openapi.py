"""The OpenAPI 3.1 document of ``/api/v1/``, made from the registered entities' colander schemas
(the same ones the API validates with, so the document cannot drift from what is accepted)."""
import colander

from portal.api.services import OUTCOMES

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def validators(node):
    validator = node.validator
    if validator is None:
        return []
    if isinstance(validator, colander.All):
        return list(validator.validators)
    return [validator]


def node_schema(node) -> dict:
    """The JSON Schema of one colander node (the types and validators the API's schemas use)."""
    typ = node.typ
    if isinstance(typ, colander.Mapping):
        return mapping_schema(node)
    if isinstance(typ, colander.Sequence):
        schema = {"type": "array", "items": node_schema(node.children[0])}
    elif isinstance(typ, colander.Date):
        schema = {"type": "string", "format": "date"}
    elif isinstance(typ, colander.DateTime):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(typ, colander.Decimal):
        schema = {"oneOf": [{"type": "string", "pattern": DECIMAL_PATTERN}, {"type": "number"}]}
    elif isinstance(typ, colander.Integer):
        schema = {"type": "integer"}
    elif isinstance(typ, colander.Boolean):
        schema = {"type": "boolean"}
    else:
        schema = {"type": "string"}
    for validator in validators(node):
        if isinstance(validator, colander.Length):
            if validator.min is not None:
                schema["minLength"] = validator.min
            if validator.max is not None:
                schema["maxLength"] = validator.max
        elif isinstance(validator, colander.OneOf):
            schema["enum"] = list(validator.choices)
        elif isinstance(validator, colander.Email):
            schema["format"] = "email"
        elif isinstance(validator, colander.Range):
            if validator.min is not None:
                schema["minimum"] = validator.min
            if validator.max is not None:
                schema["maximum"] = validator.max
    if node.title:
        schema["title"] = str(node.title)
    if node.description:
        schema["description"] = str(node.description)
    if not node.required:  # null clears an optional field
        schema = {"anyOf": [schema, {"type": "null"}]} if "type" not in schema else \
            dict(schema, type=[schema["type"], "null"])
    return schema


def mapping_schema(node) -> dict:
    schema = {
        "type": "object",
        "properties": {child.name: node_schema(child) for child in node.children},
        "required": [child.name for child in node.children if child.required],
        "additionalProperties": False,
    }
    if node.description:
        schema["description"] = str(node.description)
    return schema


ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}
ROW_RESULT = {"type": "object", "required": ["index", "result"], "properties": {
    "index": {"type": "integer"}, "external_id": {},
    "result": {"enum": list(OUTCOMES)},
    "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": "string"}, "message": {"type": "string"}}}},
    "warnings": {"type": "array", "description": "References to records that have not arrived: the row is "
                 "stored without them, and listed as an inconsistency until they arrive.",
                 "items": {"type": "object", "required": ["field", "message"], "properties": {
                     "field": {"type": "string"}, "message": {"type": "string"}}}}}}
BATCH_RESULT = {"type": "object", "required": ["entity", "atomic", "committed", "counts", "results"], "properties": {
    "entity": {"type": "string"}, "atomic": {"type": "boolean"}, "committed": {"type": "boolean"},
    "counts": {"type": "object", "properties": {o: {"type": "integer"} for o in OUTCOMES}},
    "results": {"type": "array", "items": {"$ref": "#/components/schemas/RowResult"}}}}


def error_response(description):
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def flag_parameter(name, description):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "enum": ["true", "false"]}}


def entity_paths(entity, batch_size) -> dict:
    row = {"$ref": f"#/components/schemas/{entity.name}"}
    refused = {"401": error_response("No valid API key"), "403": error_response("A read key writing")}
    upsert = {
        "summary": f"Create or update {entity.title} records by external_id",
        "parameters": [flag_parameter("atomic", "all rows or none"),
                       flag_parameter("lenient", "ignore unknown fields instead of reporting them")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            row, {"type": "object", "required": ["items"], "additionalProperties": False,
                  "properties": {"items": {"type": "array", "maxItems": batch_size, "items": row}}}]}}}},
        "responses": {
            "200": {"description": "Per-row results",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}}},
            "422": {"description": "An atomic batch with an error: nothing was kept",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}}},
            "400": error_response("Malformed JSON or body"), "413": error_response("Batch too large"), **refused},
    }
    item_parameter = [{"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    read = {"summary": f"One {entity.title} record", "responses": {
        "200": {"description": "The record", "content": {"application/json": {"schema": row}}},
        "404": error_response("No such record"), **refused}}
    delete = {"summary": f"Delete a {entity.title} record (softly)", "responses": {
        "200": {"description": "Deleted"}, "404": error_response("No such record"),
        "405": error_response("Records of this kind cannot be deleted"), **refused}}
    return {f"/{entity.name}": {"post": upsert},
            f"/{entity.name}/{{external_id}}": {"parameters": item_parameter, "get": read, "delete": delete}}


def openapi_document(entities, *, server_url, batch_size) -> dict:
    paths, schemas = {}, {"Error": ERROR, "RowResult": ROW_RESULT, "BatchResult": BATCH_RESULT}
    for name in sorted(entities):
        entity = entities[name]
        schemas[name] = mapping_schema(entity.make_schema())
        paths.update(entity_paths(entity, batch_size))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Portal integration API", "version": "1"},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
