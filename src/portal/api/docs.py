"""``/api/v1/docs``: the API's reference for people, rendered from the very document
``/api/v1/openapi.json`` serves (so the page cannot tell another story than the document).

The page is public, as the login page is: it describes the endpoints, fields and types, and holds
no record of anyone; every endpoint it lists still needs its key. Operations are grouped by the
first segment of their path (an entity, the feed …); each group shows the fields of the schema
of that name, and the other schemas (errors, results …) follow at the end.
"""
from dataclasses import dataclass, field

from pyramid.view import view_config

from portal.api.resources import ApiV1
from portal.api.views import openapi as openapi_json
from portal.security.permissions import Permission

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"
CONSTRAINTS = ("minLength", "maxLength", "minimum", "maximum", "pattern", "maxItems", "minItems")


@dataclass(frozen=True)
class Token:
    """A piece of a type's text; ``anchor`` links it to a schema on the page."""

    text: str
    anchor: str | None = None


@dataclass
class Field:
    name: str
    type: list[Token]
    required: bool
    description: str
    constraints: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    parameters: list[Field]
    body: list[Token] | None
    responses: list[tuple[str, str, list[Token] | None]]


@dataclass
class Group:
    name: str
    operations: list[Operation] = field(default_factory=list)
    fields: list[Field] | None = None


def anchor(name: str) -> str:
    return f"schema-{name}"


def type_tokens(schema: dict) -> list[Token]:
    """A JSON Schema as short notation: ``string (date) | null``, ``array<RowResult>``, ``{items: …}``."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF_PREFIX)
        return [Token(name, anchor(name))]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return joined([type_tokens(option) for option in schema[key]], " | ")
    types = schema.get("type")
    types = types if isinstance(types, list) else [types] if types else []
    if "enum" in schema:
        enum = [Token(" | ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in schema["enum"]))]
        return joined([enum] + ([[Token("null")]] if "null" in types else []), " | ")
    parts = []
    for name in types:
        if name == "array":
            parts.append([Token("array<"), *type_tokens(schema.get("items", {})), Token(">")])
        elif name == "object" and schema.get("properties"):
            members = [[Token(f"{key}: "), *type_tokens(value)] for key, value in schema["properties"].items()]
            parts.append([Token("{"), *joined(members, ", "), Token("}")])
        elif "format" in schema and name != "null":
            parts.append([Token(f"{name} ({schema['format']})")])
        else:
            parts.append([Token(name)])
    return joined(parts, " | ") if parts else [Token("any")]


def joined(parts: list[list[Token]], separator: str) -> list[Token]:
    tokens = []
    for index, part in enumerate(parts):
        if index:
            tokens.append(Token(separator))
        tokens.extend(part)
    return tokens


def constraints(schema: dict) -> str:
    """The limits a value must keep, in the document's own words (``maxLength: 64``)."""
    found = {}
    for option in [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]:
        found.update({key: option[key] for key in CONSTRAINTS if key in option})
    return ", ".join(f"{key}: {value}" for key, value in found.items())


def object_fields(schema: dict) -> list[Field]:
    required = set(schema.get("required", []))
    return [Field(name, type_tokens(value), name in required, value.get("description") or value.get("title", ""),
                  constraints(value))
            for name, value in schema.get("properties", {}).items()]


def parameter_field(parameter: dict) -> Field:
    schema = parameter.get("schema", {})
    return Field(f"{parameter['name']} ({parameter.get('in', '')})", type_tokens(schema),
                 bool(parameter.get("required")), parameter.get("description", ""), constraints(schema))


def content_schema(part: dict) -> list[Token] | None:
    for media in part.get("content", {}).values():
        if "schema" in media:
            return type_tokens(media["schema"])
    return None


def operation(method: str, path: str, path_item: dict, spec: dict) -> Operation:
    parameters = [*path_item.get("parameters", []), *spec.get("parameters", [])]
    responses = [(code, answer.get("description", ""), content_schema(answer))
                 for code, answer in sorted(spec.get("responses", {}).items())]
    body = content_schema(spec["requestBody"]) if "requestBody" in spec else None
    return Operation(method.upper(), path, spec.get("summary", ""), [parameter_field(p) for p in parameters], body,
                     responses)


def reference(document: dict) -> dict:
    """What the page shows: the groups of operations with their fields, and the remaining schemas."""
    schemas = document.get("components", {}).get("schemas", {})
    groups: dict[str, Group] = {}
    for path, path_item in document.get("paths", {}).items():
        name = path.strip("/").split("/", 1)[0]
        group = groups.setdefault(name, Group(name))
        group.operations.extend(operation(method, path, path_item, path_item[method])
                                for method in METHODS if method in path_item)
    for group in groups.values():
        if group.name in schemas:
            group.fields = object_fields(schemas[group.name])
    others = {name: object_fields(schema) for name, schema in schemas.items() if name not in groups}
    return {"document": document, "groups": list(groups.values()), "schemas": others, "anchor": anchor}


@view_config(context=ApiV1, name="docs", permission=Permission.Public, request_method=("GET", "HEAD"),
             renderer="portal:api/templates/docs.pt")
def docs(context, request):
    values = reference(openapi_json(context, request))
    values["openapi_url"] = request.resource_url(context, "openapi.json")
    return values
