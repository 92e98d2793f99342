"""A comma-separated list aggregated in SQL has its comma in the statement, which is then written once."""
import pytest
from sqlalchemy import String, cast, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.db.lists import comma_list
from portal.identity.auth import IDENTITY_QUERY
from portal.parties.models import Party
from portal.views.layout import COUNTERS
from tests.factories import PartyFactory


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()], ids=["postgresql", "sqlite"])
@pytest.mark.parametrize("statement", [IDENTITY_QUERY, COUNTERS[False], COUNTERS[True]],
                         ids=["identity", "counters", "scoped counters"])
def test_the_page_statements_lists_leave_nothing_to_write_at_execution(statement, dialect):
    compiled = statement.compile(dialect=dialect)
    # A "literal execute" parameter is written into the statement's text at every execution.
    assert not compiled.literal_execute_params and "','" in str(compiled)


def test_a_comma_list_holds_every_value_once_and_is_null_without_any(dbsession):
    ids = sorted(PartyFactory(name=f"Listed {n}").id for n in range(3))
    listed = select(comma_list(cast(Party.id, String))).where(Party.name.like("Listed %"))
    assert sorted(int(value) for value in dbsession.scalar(listed).split(",")) == ids
    assert dbsession.scalar(listed.where(Party.name == "nobody")) is None
