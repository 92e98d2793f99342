"""The change request form's schema: whatever is typed into the bank fields is either refused or
kept in a form the rules accept, compact; today's values pass untouched."""
import string

import colander
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyramid import testing

from portal.changes.bank import account_problem, bic_problem, pair_problem, with_control_key
from portal.changes.schemas import ChangeRequestSchema
from tests.factories.changes import PARTY_VALUES

TYPED = st.text(string.ascii_letters + string.digits + " -#/", max_size=40)
DIGITS = st.text(string.digits + " ", min_size=8, max_size=30)
# Values the rules take, so the property is not only ever about refusals.
BIK = PARTY_VALUES["bank_bic"]
GOOD_BICS = st.sampled_from([BIK, " 0445 25225 ", "044525593", "gibaczpx", "DEUTDEFF500"])
GOOD_ACCOUNTS = st.one_of(
    st.text(string.digits, min_size=20, max_size=20).map(lambda a: with_control_key(BIK, a)),
    st.just("CZ65 0800 0000 1920 0014 5399"),
)


@pytest.fixture(scope="module")
def schema():
    config = testing.setUp()
    try:
        yield ChangeRequestSchema().bind(request=testing.DummyRequest(), current=dict(PARTY_VALUES))
    finally:
        testing.tearDown()
        del config


def taken(schema, **typed):
    """The values the schema takes from the form with ``typed`` over today's, or None when refused."""
    try:
        return schema.deserialize(dict(PARTY_VALUES, **typed))
    except colander.Invalid:
        return None


def test_todays_values_pass_as_they_are(schema):
    assert taken(schema) == PARTY_VALUES


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bic=st.one_of(TYPED, DIGITS, GOOD_BICS), account=st.one_of(TYPED, DIGITS, GOOD_ACCOUNTS))
def test_typed_bank_codes_are_refused_or_kept_compact_and_valid(schema, bic, account):
    values = taken(schema, bank_bic=bic, bank_account=account)
    if values is None:
        return
    for name in ("bank_bic", "bank_account"):
        assert values[name] is not None and " " not in values[name] and values[name] == values[name].upper()
    assert bic_problem(values["bank_bic"]) is None
    assert account_problem(values["bank_account"]) is None
    assert pair_problem(values["bank_bic"], values["bank_account"]) is None


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["", " ", "  "]), min_size=21, max_size=21))
def test_todays_account_with_spaces_anywhere_is_still_todays(schema, gaps):
    account = PARTY_VALUES["bank_account"]
    spaced = "".join(gap + digit for gap, digit in zip(gaps, account + " "))
    assert taken(schema, bank_account=spaced)["bank_account"] == account
