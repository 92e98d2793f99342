"""The self-reading checks (utility/plausibility.py) at their edges, many of them with hypothesis."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.utility.plausibility import (
    DATE,
    FORM,
    PreviousReading,
    RegisterSpec,
    ValueRefused,
    check_reading,
    decimal_places,
    deviation,
    integer_digits,
    parse_value,
)

TODAY = date(2026, 3, 31)
PREVIOUS_DAY = date(2026, 2, 28)  # 31 days before TODAY
TOLERANCE = Decimal(3)
LOCALES = ("en", "ru", "cs")


def text(message) -> str:
    return message.interpolate() if hasattr(message, "interpolate") else str(message)


def spec(code="T1", digits=6, decimals=1, expected=Decimal("10")):
    return RegisterSpec(code, digits, decimals, expected, name=code, unit="kWh")


def check(registers, typed, *, previous=None, reading_date=TODAY, today=TODAY, tolerance=TOLERANCE, locale="en"):
    return check_reading(registers, typed, reading_date=reading_date, today=today, previous=previous,
                         tolerance=tolerance, locale=locale)


def written(value: Decimal, decimals: int, locale: str, grouped=True) -> str:
    pattern = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


values_within = st.integers(min_value=1, max_value=12).flatmap(
    lambda digits: st.integers(min_value=0, max_value=4).flatmap(
        lambda decimals: st.tuples(
            st.just(digits), st.just(decimals),
            st.integers(min_value=0, max_value=10 ** (digits + decimals) - 1)
            .map(lambda units: Decimal(units).scaleb(-decimals)))))


# --- reading a number ----------------------------------------------------------------------------
@pytest.mark.parametrize("locale, typed, value", [
    ("ru", "1234,5", Decimal("1234.5")),
    ("cs", "1234,5", Decimal("1234.5")),
    ("ru", "1 234,5", Decimal("1234.5")),
    ("cs", "1\u00a0234,5", Decimal("1234.5")),
    ("en", "1234.5", Decimal("1234.5")),
    ("en", "1,234.5", Decimal("1234.5")),
    ("ru", " 00042 ", Decimal("42")),
])
def test_a_number_is_read_the_way_the_language_writes_it(locale, typed, value):
    assert parse_value(typed, locale) == value


@pytest.mark.parametrize("typed", ["abc", "12a", "1e5", "٣", "NaN", "Infinity", "1,2,3,4.5.6", "", "½", "0x10"])
def test_letters_and_anything_not_plain_digits_are_refused(typed):
    with pytest.raises(ValueRefused) as refused:
        parse_value(typed, "ru")
    assert "not a number" in text(refused.value.message)


def test_a_comma_in_english_is_not_a_decimal_point_and_is_refused_rather_than_misread():
    with pytest.raises(ValueRefused):
        parse_value("1,5", "en")  # not 15, not 1.5: the customer is asked again


@pytest.mark.parametrize("typed", ["-5", "−5", "- 1,5"])
def test_a_negative_number_is_refused_as_negative(typed):
    with pytest.raises(ValueRefused) as refused:
        parse_value(typed, "ru")
    assert "negative" in text(refused.value.message)


def test_a_refused_value_is_repeated_shortened():
    with pytest.raises(ValueRefused) as refused:
        parse_value("x" * 10_000, "en")
    assert len(text(refused.value.message)) < 200


@given(values_within, st.sampled_from(LOCALES), st.booleans())
def test_every_value_written_in_a_language_reads_back_as_itself(case, locale, grouped):
    digits, decimals, value = case
    assert parse_value(written(value, decimals, locale, grouped), locale) == value


# --- the register's capacity -----------------------------------------------------------------------
@given(values_within, st.sampled_from(LOCALES))
def test_a_value_within_the_capacity_is_taken(case, locale):
    digits, decimals, value = case
    register = spec(digits=digits, decimals=decimals, expected=None)
    result = check([register], {"T1": written(value, decimals, locale)}, locale=locale)
    assert result.ok and result.results["T1"].value == value


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=4))
def test_the_largest_value_a_register_shows_is_taken_and_one_more_digit_is_not(digits, decimals):
    register = spec(digits=digits, decimals=decimals, expected=None)
    largest = register.capacity - Decimal(1).scaleb(-decimals)
    assert check([register], {"T1": written(largest, decimals, "en", False)}).ok
    too_long = check([register], {"T1": str(register.capacity)})
    assert "digits before the decimal point" in text(too_long.errors["T1"])
    if decimals < 4:
        finer = largest - Decimal(1).scaleb(-decimals - 1)
        assert "T1" in check([register], {"T1": format(finer, "f")}).errors


def test_twenty_digits_are_refused_with_the_capacity():
    result = check([spec()], {"T1": "1" * 20})
    assert text(result.errors["T1"]) == "The meter shows at most 6 digits before the decimal point."


def test_a_whole_number_register_refuses_decimals_but_not_trailing_zeros():
    register = spec(decimals=0, expected=None)
    assert "whole numbers" in text(check([register], {"T1": "12.5"}).errors["T1"])
    assert check([register], {"T1": "12.000"}).ok


@given(st.decimals(min_value=0, max_value=Decimal("1e12") - 1, places=4, allow_nan=False, allow_infinity=False))
def test_digit_counts(value):
    whole = format(value.to_integral_value(rounding="ROUND_DOWN"), "f")
    assert integer_digits(value) == len(whole.lstrip("0") or "0")
    assert decimal_places(value) == len(format(value, "f").partition(".")[2].rstrip("0"))


# --- every register or none --------------------------------------------------------------------------
@given(st.lists(st.booleans(), min_size=2, max_size=4))
def test_every_register_or_none(filled):
    registers = [spec(code=f"R{i}", expected=None) for i in range(len(filled))]
    typed = {r.code: ("100" if f else "") for r, f in zip(registers, filled)}
    result = check(registers, typed)
    if all(filled):
        assert result.ok
    elif not any(filled):
        assert text(result.errors[FORM]) == "Enter the meter's readings."
    else:
        assert text(result.errors[FORM]) == "Enter every register of the meter, or none."
        assert {r.code for r, f in zip(registers, filled) if not f} <= set(result.errors)


# --- the date ------------------------------------------------------------------------------------------
@given(st.integers(min_value=-400, max_value=400))
def test_the_date_is_after_the_previous_reading_and_not_in_the_future(offset):
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal("1000")})
    day = PREVIOUS_DAY + timedelta(days=offset)
    result = check([spec(expected=None)], {"T1": "1000"}, previous=previous, reading_date=day)
    if day > TODAY:
        assert "future" in text(result.errors[DATE])
    elif offset < 0:
        assert "before the previous" in text(result.errors[DATE])
    elif offset == 0:
        assert "one a day" in text(result.errors[DATE])
    else:
        assert DATE not in result.errors


def test_today_is_a_valid_date_without_a_previous_reading():
    assert check([spec(expected=None)], {"T1": "5"}).ok
    assert DATE in check([spec(expected=None)], {"T1": "5"}, reading_date=TODAY + timedelta(days=1)).errors


# --- not below the previous reading, unless a plausible rollover -----------------------------------------
def test_a_value_below_the_previous_is_refused():
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal("1000")})
    result = check([spec()], {"T1": "999.9"}, previous=previous)
    assert "Lower than the previous reading" in text(result.errors["T1"])
    assert not result.results


def test_the_same_value_as_before_is_not_below_it():
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal("1000")})
    result = check([spec(expected=None)], {"T1": "1000"}, previous=previous)
    assert result.ok and result.results["T1"].consumption == 0


@given(st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=200))
def test_a_rollover_is_taken_when_the_wrapped_consumption_is_plausible(digits, usual):
    register = spec(digits=digits, decimals=0, expected=Decimal(usual))
    days = (TODAY - PREVIOUS_DAY).days
    used = usual * days  # exactly as usual
    assume(used < register.capacity)
    previous_value = register.capacity - Decimal(used // 2 + 1)
    new_value = (previous_value + used) % register.capacity
    assume(new_value < previous_value)
    previous = PreviousReading(PREVIOUS_DAY, {"T1": previous_value})
    result = check([register], {"T1": str(new_value)}, previous=previous)
    assert result.ok, result.errors
    assert result.results["T1"].rollover and result.results["T1"].consumption == used
    assert result.plausible is True


def test_a_rollover_whose_wrapped_consumption_is_implausible_is_refused():
    register = spec(digits=4, decimals=0, expected=Decimal("1"))  # 31 expected over the period
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal("9990")})
    assert check([register], {"T1": "20"}, previous=previous).results["T1"].rollover  # 30: plausible
    refused = check([register], {"T1": "5000"}, previous=previous)  # 5010 over 31 days
    assert "Lower than the previous reading" in text(refused.errors["T1"])


def test_without_an_expectation_a_lower_value_cannot_be_a_rollover():
    register = spec(digits=4, decimals=0, expected=None)
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal("9990")})
    assert "T1" in check([register], {"T1": "20"}, previous=previous).errors


# --- consumption against the expected daily average ------------------------------------------------------
@given(st.integers(min_value=1, max_value=500), st.sampled_from([Decimal(1), Decimal("1.5"), Decimal(3), Decimal(10)]))
def test_the_tolerance_band_edges(usual, tolerance):
    days = (TODAY - PREVIOUS_DAY).days
    expected = Decimal(usual) * days
    register = spec(digits=9, decimals=4, expected=Decimal(usual))
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal(0)})
    unit = Decimal("0.0001")

    def outcome(consumption):
        result = check([register], {"T1": format(consumption, "f")}, previous=previous, tolerance=tolerance)
        assert result.ok, result.errors
        return result.results["T1"].deviation, result.plausible

    high = expected * tolerance
    assert outcome(high) == (None, True)
    assert outcome(high + unit) == ("high", False)
    assert outcome(expected) == (None, True)
    low = (expected / tolerance).quantize(unit, rounding="ROUND_CEILING")
    assert outcome(low)[0] is None
    if low - unit >= 0 and (low - unit) * tolerance < expected:
        assert outcome(low - unit) == ("low", False)


def test_deviation_needs_no_division():
    assert deviation(Decimal(0), Decimal(10), Decimal(3)) == "low"
    assert deviation(Decimal(31), Decimal(10), Decimal(3)) == "high"
    assert deviation(Decimal(30), Decimal(10), Decimal(3)) is None


def test_plausible_is_none_when_there_is_nothing_to_judge_by():
    assert check([spec()], {"T1": "100"}).plausible is None  # a first reading
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal("0")})
    assert check([spec(expected=None)], {"T1": "100"}, previous=previous).plausible is None
    two = [spec("T1"), spec("T2", expected=None)]
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal(0), "T2": Decimal(0)})
    assert check(two, {"T1": "310", "T2": "5"}, previous=previous).plausible is None


def test_one_implausible_register_makes_the_reading_implausible_and_is_named():
    two = [spec("T1"), spec("T2")]
    previous = PreviousReading(PREVIOUS_DAY, {"T1": Decimal(0), "T2": Decimal(0)})
    result = check(two, {"T1": "310", "T2": "5000"}, previous=previous, locale="ru")
    assert result.ok and result.plausible is False
    (issue,) = result.issues()
    assert "T2: 5\u00a0000 kWh" in text(issue) and "far more" in text(issue)
