"""Amounts are written exactly as Babel writes them, only faster."""
from decimal import Decimal

from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from portal.formats import format_money, format_number

amounts = st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False)


@given(value=amounts, language=st.sampled_from(["en", "ru", "cs"]),
       currency=st.sampled_from(["RUB", "EUR", "USD", "CZK", "JPY"]))
def test_money_is_written_as_babel_writes_it(value, language, currency):
    assert format_money(value, currency, language) == format_currency(value, currency, locale=language)


def test_examples():
    assert format_money(Decimal("1234567.5"), "RUB", "ru") == "1\xa0234\xa0567,50\xa0₽"
    assert format_money(Decimal("-0.5"), "EUR", "en") == "-€0.50"
    assert format_number(Decimal("20.00"), "ru") == "20"
    assert format_number(Decimal("6.4521"), "en", "#,##0.00##") == "6.4521"
    assert format_number(Decimal("2"), "ru", "#,##0.00##") == "2,00"
