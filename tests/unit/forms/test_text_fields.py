"""Every text field is stripped before its required and length checks, whoever deserializes the
schema (a deform form strips in its widget; a schema used on its own must not differ)."""
import colander
import pytest
from pyramid import testing

from portal.changes.schemas import ChangeRequestSchema
from portal.messages.schemas import NewThreadSchema, ReplySchema
from portal.requests.schemas import NewRequestSchema
from portal.tickets.schemas import NewTicketSchema
from portal.tickets.sla import ServiceLevel

TYPE = type("T", (), {"id": 1, "name": lambda self, language: "General"})()
LEVELS = [ServiceLevel("normal", 72, True, True, True)]


@pytest.fixture(autouse=True)
def config():
    with testing.testConfig() as config:
        yield config


def bound(schema_class):
    kw = {"request": testing.DummyRequest(), "types": [TYPE], "language": "en", "current": {},
          "levels": LEVELS}
    return schema_class().bind(**kw)


def errors(schema, values):
    cstruct = {"csrf_token": "x", **values}
    try:
        return schema.deserialize(cstruct), {}
    except colander.Invalid as invalid:
        return None, invalid.asdict()


REQUIRED = [
    (NewRequestSchema, {"type_id": "1", "body": "text"}, "subject"),
    (NewRequestSchema, {"type_id": "1", "subject": "Subject"}, "body"),
    (NewTicketSchema, {"priority": "normal", "body": "text"}, "subject"),
    (NewTicketSchema, {"priority": "normal", "subject": "Subject"}, "body"),
    (NewThreadSchema, {"body": "text"}, "subject"),
    (NewThreadSchema, {"subject": "Subject"}, "body"),
    (ReplySchema, {}, "body"),
]


@pytest.mark.parametrize("schema_class,values,field", REQUIRED)
@pytest.mark.parametrize("blank", ["   ", "\t\n ", "\u00a0\u3000"])
def test_a_blank_required_text_is_missing(schema_class, values, field, blank):
    _appstruct, errs = errors(bound(schema_class), dict(values, **{field: blank}))
    assert errs.get(field) == "Required"


@pytest.mark.parametrize("schema_class,values", [
    (NewRequestSchema, {"type_id": "1", "body": "text"}),
    (NewTicketSchema, {"priority": "normal", "body": "text"}),
    (NewThreadSchema, {"body": "text"}),
])
def test_the_length_is_checked_on_the_stripped_subject(schema_class, values):
    _appstruct, errs = errors(bound(schema_class), dict(values, subject="  ab  "))
    assert errs.get("subject") == "Shorter than minimum length 3"
    appstruct, errs = errors(bound(schema_class), dict(values, subject="  Leaking boiler \n"))
    assert errs == {} and appstruct["subject"] == "Leaking boiler"


def test_change_request_values_are_stripped_and_blank_is_no_value():
    appstruct, errs = errors(bound(ChangeRequestSchema), {"contact_person": "   ", "phone": "  +7 495 123-45-67 "})
    assert errs == {}
    assert appstruct["contact_person"] is None and appstruct["phone"] == "+7 495 123-45-67"
