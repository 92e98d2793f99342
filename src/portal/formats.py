"""Dates, moments and amounts written the way each language writes them, as Babel writes them.

``babel.dates.format_datetime`` looks the locale up and parses its patterns on
every call; a list page of fifty rows with two times each spent more time there
than in its SQL. These formatters parse once per language and format (style),
write the fields of the usual patterns themselves, and give the same text (a
test compares them with Babel's own functions).
"""
import re
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimeFormat, get_date_format, get_datetime_format, get_time_format, parse_pattern
from babel.numbers import get_currency_precision, get_currency_symbol
from babel.numbers import parse_pattern as parse_number_pattern


def _two(number: int) -> str:
    return f"{number:02d}"


# The fields of the portal's patterns that are numbers, written here as Babel writes them
# (``DateTimeFormat``: zero-padded to the field's length; "yy" the year's last two digits).
_NUMERIC_FIELDS = {
    "d": lambda v: str(v.day), "dd": lambda v: _two(v.day),
    "M": lambda v: str(v.month), "MM": lambda v: _two(v.month),
    "y": lambda v: str(v.year), "yy": lambda v: _two(v.year % 100), "yyyy": lambda v: f"{v.year:04d}",
    "H": lambda v: str(v.hour), "HH": lambda v: _two(v.hour),
    "h": lambda v: str(v.hour % 12 or 12), "hh": lambda v: _two(v.hour % 12 or 12),
    "m": lambda v: str(v.minute), "mm": lambda v: _two(v.minute),
    "s": lambda v: str(v.second), "ss": lambda v: _two(v.second),
}
# Fields that are names: each language's are asked of Babel once (months, the day's half).
_MONTH_FIELDS = ("MMM", "MMMM", "LLL", "LLLL")
_FIELD = re.compile(r"%\((\w+)\)s")


class _Pattern:
    """A parsed Babel pattern that writes the numbers and names of its fields itself.

    Babel's ``DateTimeFormat`` spends some ten microseconds a value; a list of
    fifty rows with two times each spent more than its SQL there. A pattern with
    any other field (a time zone, a weekday, an era) is written by Babel.
    """

    def __init__(self, pattern, locale):
        self.pattern, self.locale = pattern, locale
        keys = _FIELD.findall(pattern.format)
        self.fields = None
        if all(key in _NUMERIC_FIELDS or key in _MONTH_FIELDS or key == "a" for key in keys):
            self.fields = tuple((key, self._field(key)) for key in dict.fromkeys(keys))

    def _field(self, key):
        if key in _NUMERIC_FIELDS:
            return _NUMERIC_FIELDS[key]
        if key == "a":
            am, pm = (DateTimeFormat(time(hour), self.locale)["a"] for hour in (1, 13))
            return lambda v: pm if v.hour >= 12 else am
        names = [None] + [DateTimeFormat(date(2000, month, 1), self.locale)[key] for month in range(1, 13)]
        return lambda v: names[v.month]

    def apply(self, value, reference_date=None) -> str:
        if self.fields is None:
            if reference_date is None:
                return self.pattern.apply(value, self.locale)
            return self.pattern.apply(value.timetz(), self.locale, reference_date=reference_date)
        return self.pattern.format % {key: field(value) for key, field in self.fields}


class _Formatter:
    def __init__(self, language: str, style: str):
        self.locale = Locale.parse(language)
        self.date_pattern = _Pattern(parse_pattern(get_date_format(style, locale=self.locale)), self.locale)
        self.time_pattern = _Pattern(parse_pattern(get_time_format(style, locale=self.locale)), self.locale)
        self.combined = get_datetime_format(style, locale=self.locale).replace("'", "")
        # A moment of two fast patterns is one %-format of all their fields: the time's and the date's
        # texts put in the language's "{1}, {0}", as ``datetime`` below writes them one after the other.
        self.moment = None
        if self.date_pattern.fields is not None and self.time_pattern.fields is not None:
            text = (self.combined.replace("%", "%%").replace("{0}", self.time_pattern.pattern.format)
                    .replace("{1}", self.date_pattern.pattern.format))
            self.moment = (text, tuple(dict(self.time_pattern.fields + self.date_pattern.fields).items()))

    def date(self, value: date) -> str:
        if isinstance(value, datetime):
            value = value.date()
        return self.date_pattern.apply(value)

    def datetime(self, value: datetime, tz) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        local = value.astimezone(tz)
        if self.moment is not None:
            text, fields = self.moment
            return text % {key: field(local) for key, field in fields}
        time_text = self.time_pattern.apply(local, reference_date=local.date())
        return self.combined.replace("{0}", time_text).replace("{1}", self.date_pattern.apply(local))


@lru_cache(maxsize=64)
def formatter(language: str, style: str) -> _Formatter:
    return _Formatter(language, style)


def format_date(value: date, language: str, style: str = "medium") -> str:
    return formatter(language, style).date(value)


def format_datetime(value: datetime, tz, language: str, style: str = "short") -> str:
    """``value`` (UTC-aware, or naive meaning UTC) in the time zone ``tz``."""
    return formatter(language, style).datetime(value, tz)


CENT = Decimal("0.01")


class _MoneyFormatter:
    """Amounts in one currency as one language writes them (Babel's standard currency pattern).

    Babel applies its pattern in some twenty microseconds; a list of fifty rows
    with three amounts each spent more time there than in its SQL. The patterns
    of the portal's languages group by three with two decimals, which Python's
    own formatting does in one step with the separators swapped in; any other
    pattern or currency precision goes to Babel (a test compares the two).
    """

    def __init__(self, language: str, currency: str):
        self.locale = Locale.parse(language)
        self.currency = currency
        self.pattern = self.locale.currency_formats["standard"]
        symbols = self.locale.number_symbols.get("latn", self.locale.number_symbols)
        pattern = self.pattern
        self.fast = (pattern.grouping == (3, 3) and pattern.frac_prec == (2, 2) and pattern.int_prec[0] == 1
                     and get_currency_precision(currency) == 2)
        symbol = get_currency_symbol(currency, self.locale)
        self.positive = (pattern.prefix[0].replace("¤", symbol), pattern.suffix[0].replace("¤", symbol))
        self.negative = (pattern.prefix[1].replace("¤", symbol).replace("-", symbols["minusSign"]),
                         pattern.suffix[1].replace("¤", symbol))
        self.separators = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})

    def format(self, value) -> str:
        if not self.fast:
            return self.pattern.apply(value, self.locale, currency=self.currency)
        value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)
        prefix, suffix = self.negative if value < 0 else self.positive
        return prefix + format(abs(value), ",.2f").translate(self.separators) + suffix


@lru_cache(maxsize=256)
def money_formatter(language: str, currency: str) -> _MoneyFormatter:
    return _MoneyFormatter(language, currency)


def format_money(value, currency: str, language: str) -> str:
    """``value`` (a Decimal) in ``currency`` as ``language`` writes money: "1 234,50 ₽", "RUB1,234.50"."""
    return money_formatter(language, currency).format(value)


@lru_cache(maxsize=64)
def _decimal_pattern(language: str, pattern: str):
    return Locale.parse(language), parse_number_pattern(pattern)


def format_number(value, language: str, pattern: str = "#,##0.###") -> str:
    """A quantity or a rate as ``language`` writes numbers (no trailing zeros by default): "1 234,5"."""
    locale, parsed = _decimal_pattern(language, pattern)
    return parsed.apply(value, locale)
