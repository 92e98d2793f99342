"""The reading settings are checked at start: a bad value stops it with a message naming the setting."""
from decimal import Decimal

import pytest
from pyramid.exceptions import ConfigurationError

import portal
from portal.utility.policy import ReadingPolicy


def test_defaults_are_a_factor_of_three_and_review_of_everything():
    assert ReadingPolicy.from_settings({}) == ReadingPolicy(Decimal(3), False)


@pytest.mark.parametrize("tolerance, auto, expected", [
    ("1", "true", ReadingPolicy(Decimal(1), True)),
    (" 2.5 ", "NO", ReadingPolicy(Decimal("2.5"), False)),
    ("1000", "on", ReadingPolicy(Decimal(1000), True)),
])
def test_good_values(tolerance, auto, expected):
    settings = {"portal.readings.tolerance": tolerance, "portal.readings.auto_accept": auto}
    assert ReadingPolicy.from_settings(settings) == expected


@pytest.mark.parametrize("tolerance", ["0.99", "0", "-3", "three", "NaN", "Infinity", "1001", ""])
def test_a_bad_tolerance_is_refused_naming_the_setting(tolerance):
    with pytest.raises(ConfigurationError, match=r"portal\.readings\.tolerance must be a number from 1"):
        ReadingPolicy.from_settings({"portal.readings.tolerance": tolerance})


def test_a_bad_auto_accept_is_refused_naming_the_setting():
    with pytest.raises(ConfigurationError, match=r"portal\.readings\.auto_accept must be true or false"):
        ReadingPolicy.from_settings({"portal.readings.auto_accept": "sometimes"})


def test_the_application_does_not_start_with_a_bad_tolerance(app_settings):
    with pytest.raises(ConfigurationError, match="portal.readings.tolerance"):
        portal.main({}, **dict(app_settings, **{"portal.readings.tolerance": "0.5"}))
