"""The cached formatters write exactly what Babel's own functions write."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import babel.dates
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.formats import format_date, format_datetime, formatter
from portal.i18n import LANGUAGES

ZONES = [ZoneInfo("Europe/Moscow"), ZoneInfo("America/New_York"), ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata")]
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31),
                       timezones=st.just(timezone.utc))


@given(moments, st.sampled_from(ZONES), st.sampled_from(sorted(LANGUAGES)),
       st.sampled_from(["short", "medium", "long"]))
def test_datetime_matches_babel(value, tz, language, style):
    expected = babel.dates.format_datetime(value, format=style, tzinfo=tz, locale=language)
    assert format_datetime(value, tz, language, style) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.sampled_from(sorted(LANGUAGES)),
       st.sampled_from(["short", "medium", "long"]))
def test_date_matches_babel(value, language, style):
    assert format_date(value, language, style) == babel.dates.format_date(value, format=style, locale=language)


def test_a_naive_moment_is_taken_as_utc():
    tz = ZoneInfo("Europe/Moscow")
    naive = datetime(2026, 3, 1, 9, 30)
    assert format_datetime(naive, tz, "en") == format_datetime(naive.replace(tzinfo=timezone.utc), tz, "en")
    assert format_datetime(naive, tz, "en") == babel.dates.format_datetime(
        naive.replace(tzinfo=timezone.utc), format="short", tzinfo=tz, locale="en")


def test_moments_around_a_daylight_saving_change():
    tz = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 8, 6, 0, tzinfo=timezone.utc)
    for minutes in range(0, 240, 15):
        value = start + timedelta(minutes=minutes)
        assert format_datetime(value, tz, "ru", "long") == babel.dates.format_datetime(
            value, format="long", tzinfo=tz, locale="ru")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("style", ["short", "medium"])
def test_the_usual_moments_are_written_by_one_compiled_writer_without_babel(language, style, monkeypatch):
    value = datetime(2026, 12, 6, 21, 5, 9, tzinfo=timezone.utc)
    expected = babel.dates.format_datetime(value, format=style, tzinfo=ZONES[0], locale=language)
    formatter(language, style)  # made (and Babel asked for the names) before Babel is taken away

    def refused(*args, **kwargs):
        raise AssertionError("Babel wrote a moment the portal's writer should have")

    monkeypatch.setattr(babel.dates.DateTimePattern, "apply", refused)
    monkeypatch.setattr(babel.dates.DateTimeFormat, "__getitem__", refused)
    assert format_datetime(value, ZONES[0], language, style) == expected
