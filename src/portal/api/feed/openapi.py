"""The feed's part of ``/api/v1/openapi.json``: a read and an acknowledgement path per declared kind,
each event's payload described by the kind's colander schema (the one its tests check payloads
against)."""
from portal.api.feed.services import DEFAULT_LIMIT, MAX_LIMIT
from portal.api.openapi import error_response, mapping_schema

CURSOR = {"type": "string", "minLength": 22, "maxLength": 22,
          "description": "Opaque: hand back as received, never built or compared"}
NULLABLE_CURSOR = dict(CURSOR, type=["string", "null"])
ACK_BODY = {"type": "object", "required": ["cursor"], "additionalProperties": False,
            "properties": {"cursor": CURSOR}}
ACK_RESULT = {"type": "object", "required": ["kind", "acked"],
              "properties": {"kind": {"type": "string"}, "acked": CURSOR}}


def payload_schema(kind) -> dict:
    schema = kind.make_schema()
    return mapping_schema(schema) if schema is not None else {"type": "object"}


def page_schema(kind) -> dict:
    event = {"type": "object", "required": ["id", "kind", "published_at", "payload", "cursor"], "properties": {
        "id": {"type": "integer"}, "kind": {"const": kind.name}, "published_at": {"type": "string",
                                                                                   "format": "date-time"},
        "cursor": CURSOR, "payload": {"$ref": f"#/components/schemas/feed.{kind.name}"}}}
    return {"type": "object", "required": ["kind", "events", "next", "more", "acked"], "properties": {
        "kind": {"const": kind.name}, "events": {"type": "array", "items": event},
        "next": dict(NULLABLE_CURSOR, description="Pass as `after` to read on (null: nothing read yet)"),
        "more": {"type": "boolean", "description": "More events wait: read on at once"},
        "acked": dict(NULLABLE_CURSOR, description="What this key acknowledged last")}}


def kind_paths(kind) -> dict:
    refused = {"401": error_response("No valid API key")}
    read = {
        "summary": f"Events of {kind.name} in commit order"
                   + (f": {kind.description}" if kind.description else ""),
        "description": "In the order the changes were committed. Without `after`, from what this key "
                       "acknowledged; an `after` behind that starts there too, so nothing acknowledged is "
                       "served again.",
        "parameters": [
            {"name": "after", "in": "query", "required": False, "schema": CURSOR,
             "description": "A cursor a read returned: the events after it"},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
        ],
        "responses": {"200": {"description": "The next events",
                              "content": {"application/json": {"schema": page_schema(kind)}}},
                      "400": error_response("A bad cursor or limit"), **refused},
    }
    ack = {
        "summary": f"Acknowledge the events of {kind.name} up to a cursor",
        "description": "A read key may acknowledge (it is the consumer's bookkeeping). The same "
                       "acknowledgement again is taken.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": ACK_BODY}}},
        "responses": {"200": {"description": "Acknowledged",
                              "content": {"application/json": {"schema": ACK_RESULT}}},
                      "400": error_response("Not a cursor of an event of this feed"),
                      "409": error_response("Not yet served to this key, or behind what it acknowledged"),
                      **refused},
    }
    return {f"/feed/{kind.name}": {"get": read}, f"/feed/{kind.name}/ack": {"post": ack}}


def add_feed(document: dict, kinds: dict) -> dict:
    """``document`` (openapi.py's) with the feed's paths and payload schemas added."""
    for name in sorted(kinds):
        document["paths"].update(kind_paths(kinds[name]))
        document["components"]["schemas"][f"feed.{name}"] = payload_schema(kinds[name])
    return document
