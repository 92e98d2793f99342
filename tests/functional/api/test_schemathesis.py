"""The API against its own OpenAPI document, with schemathesis: generated calls of every operation (valid
and invalid bodies, paths and parameters) with a write key, and every answer must be no server error,
have a status the document declares, and match the document's schema for it.

The calls run inside the test's transaction, as WebTest's do (tests/conftest.py), each in a savepoint
of its own that a server error rolls back, as pyramid_tm would abort its transaction; the examples per
operation are bounded, so the run stays within a minute.
"""
import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.functional.api.conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


class InTestTransaction:
    """The application as the test's WebTest app runs it: in the test's doomed transaction."""

    def __init__(self, app, tm, dbsession):
        self.app, self.tm, self.dbsession = app, tm, dbsession

    def __call__(self, environ, start_response):
        environ.update({"tm.active": True, "tm.manager": self.tm, "app.dbsession": self.dbsession})
        savepoint = self.dbsession.begin_nested()
        status = []

        def remember(line, headers, exc_info=None):
            status.append(int(line.split(" ", 1)[0]))
            return start_response(line, headers, exc_info)

        body = b"".join(self.app(environ, remember))
        if savepoint.is_active and status[0] >= 500:
            savepoint.rollback()
        elif savepoint.is_active:
            savepoint.commit()
        return [body]


def api_schema(app, tm, dbsession, write_key):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InTestTransaction(app, tm, dbsession),
                                          headers=bearer(write_key))


def operations(app, tm, dbsession, write_key):
    """Every operation of the document as the application serves it, loaded with the key."""
    return [result.ok() for result in api_schema(app, tm, dbsession, write_key).get_all_operations()]


def test_an_answer_the_document_does_not_declare_is_caught(app, tm, dbsession, write_key):
    served = api_schema(app, tm, dbsession, write_key)
    document = copy.deepcopy(served.raw_schema)
    del document["paths"]["/parties/{external_id}"]["get"]["responses"]["404"]
    schema = schemathesis.openapi.from_dict(document)
    schema.app = served.app
    case = schema["/parties/{external_id}"]["GET"].Case(path_parameters={"external_id": "P-NONE"})
    with pytest.raises(FailureGroup) as found:
        case.call_and_validate(headers=bearer(write_key), checks=CHECKS)
    assert [type(failure) for failure in found.value.exceptions] == [UndefinedStatusCode]


# schemathesis's own pytest integration (from_fixture) reads a private attribute pytest 9 no longer has,
# so each operation's cases are drawn with Hypothesis directly: valid ones and invalid ones alike.
def test_every_answer_matches_the_document(app, tm, dbsession, write_key):
    found = operations(app, tm, dbsession, write_key)
    assert {(o.method.upper(), o.path) for o in found} >= {("POST", "/parties"), ("GET", "/parties/{external_id}"),
                                                          ("DELETE", "/contracts/{external_id}")}
    for operation in found:
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):
            case.call_and_validate(headers=bearer(write_key), checks=CHECKS)

        answers_as_documented()
