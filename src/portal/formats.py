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

# The fields of the portal's patterns that are numbers, as Babel writes them (``DateTimeFormat``:
# zero-padded to the field's length; "yy" the year's last two digits): the %-conversion and the
# expression of the value ``v`` that write each.
_NUMERIC_FIELDS = {
    "d": ("%d", "v.day"), "dd": ("%02d", "v.day"),
    "M": ("%d", "v.month"), "MM": ("%02d", "v.month"),
    "y": ("%d", "v.year"), "yy": ("%02d", "v.year % 100"), "yyyy": ("%04d", "v.year"),
    "H": ("%d", "v.hour"), "HH": ("%02d", "v.hour"),
    "h": ("%d", "v.hour % 12 or 12"), "hh": ("%02d", "v.hour % 12 or 12"),
    "m": ("%d", "v.minute"), "mm": ("%02d", "v.minute"),
    "s": ("%d", "v.second"), "ss": ("%02d", "v.second"),
}
# Fields that are names: each language's are asked of Babel once (months, the day's half).
_MONTH_FIELDS = ("MMM", "MMMM", "LLL", "LLLL")
_FIELD = re.compile(r"%\((\w+)\)s")


def _writer(template: str, locale):
    """One function of ``v`` writing the %-template of a Babel pattern (``%(MM)s.%(y)s``) whose
    fields are all numbers or names, or None when a field is another (a time zone, a weekday, an era).

    The function is one %-format of a tuple of attribute reads, compiled from the fixed expressions
    above: a list page writes a hundred moments, and calling a function per field (or Babel's
    ``DateTimeFormat``, some ten microseconds a value) cost more than its SQL.
    """
    names, expressions = {}, []

    def field(match):
        key = match.group(1)
        if key in _NUMERIC_FIELDS:
            conversion, expression = _NUMERIC_FIELDS[key]
        elif key == "a":
            names["halves"] = tuple(DateTimeFormat(time(hour), locale)["a"] for hour in (1, 13))
            conversion, expression = "%s", "halves[v.hour >= 12]"
        elif key in _MONTH_FIELDS:
            names[key] = (None,) + tuple(DateTimeFormat(date(2000, month, 1), locale)[key] for month in range(1, 13))
            conversion, expression = "%s", f"{key}[v.month]"
        else:
            raise LookupError(key)
        expressions.append(expression)
        return conversion

    try:
        text = _FIELD.sub(field, template)
    except LookupError:
        return None
    return eval(f"lambda v: {text!r} % ({', '.join(expressions)},)", names)  # only the expressions above


class _Pattern:
    """A parsed Babel pattern, written by a compiled ``_writer`` when its fields allow, else by Babel."""

    def __init__(self, pattern, locale):
        self.pattern, self.locale = pattern, locale
        self.write = _writer(pattern.format, locale)

    def apply(self, value, reference_date=None) -> str:
        if self.write is not None:
            return self.write(value)
        if reference_date is None:
            return self.pattern.apply(value, self.locale)
        return self.pattern.apply(value.timetz(), self.locale, reference_date=reference_date)


class _Formatter:
    def __init__(self, language: str, style: str):
        self.locale = Locale.parse(language)
        self.date_pattern = _Pattern(parse_pattern(get_date_format(style, locale=self.locale)), self.locale)
        self.time_pattern = _Pattern(parse_pattern(get_time_format(style, locale=self.locale)), self.locale)
        self.combined = get_datetime_format(style, locale=self.locale).replace("'", "")
        # A moment of two fast patterns is one writer of all their fields: the time's and the date's
        # templates put in the language's "{1}, {0}", as ``datetime`` below writes them one after the other.
        self.moment = None
        if self.date_pattern.write is not None and self.time_pattern.write is not None:
            self.moment = _writer(self.combined.replace("%", "%%").replace("{0}", self.time_pattern.pattern.format)
                                  .replace("{1}", self.date_pattern.pattern.format), self.locale)

    def date(self, value: date) -> str:
        if isinstance(value, datetime):
            value = value.date()
        return self.date_pattern.apply(value)

    def datetime(self, value: datetime, tz) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        local = value.astimezone(tz)
        if self.moment is not None:
            return self.moment(local)
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
