"""The checks of a self-reading, after the utility systems' own plausibility rules.

Pure functions of what was typed, the meter's registers and its previous
accepted reading: no database, no HTTP, so every rule is tested at its edges.
In the order a customer meets them:

1. Each value is a number written the way the page's language writes it (a
   decimal comma in Russian and Czech, Babel's ``parse_decimal`` for the
   locale), plain digits only, not negative, and within its register's
   capacity: no more digits before and after the decimal point than the meter shows.
2. Every register of the meter is filled in, or none (then nothing is sent).
3. The date is not in the future and after the previous reading's: not before
   it, and not the same day (one reading per meter a day).
4. No value is below the previous reading's, unless it is a **rollover**: a
   register past its capacity wraps to zero, so a lower value means
   ``capacity − previous + value`` was used. Such a value is *accepted as a
   rollover when that wrapped consumption is plausible* (rule 5 says so) and
   then treated like any other; when it is not plausible, or the register has
   no expected consumption to judge it by, the value is refused as lower than
   the previous reading — a typing error is far likelier than a meter that went
   round, and a customer cannot send what the checks cannot tell from one. A
   meter change is not a rollover: staff record the new meter, whose readings
   are compared only with its own.
5. Each register's consumption against its expected daily average times the
   days since the previous reading: within ``[expected / tolerance, expected ×
   tolerance]`` it is plausible. An implausible reading may still be sent with
   a comment, and then goes to staff review.
"""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Mapping

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, parse_decimal

from portal.formats import format_date
from portal.i18n import _

FORM = "_form"  # the key of a message about the whole reading, not one field
DATE = "reading_date"
# Spaces people (and Babel's Russian and Czech formats) put between groups of digits.
GROUP_SPACES = re.compile(r"[ \u00a0\u202f]")
PLAIN_NUMBER = re.compile(r"[0-9][0-9.,]*")
MINUS = ("-", "\u2212")
# Longer than any register can be (12 + 4 digits, separators): refused before it is parsed.
MAX_TYPED = 30
SHOWN = 20  # how much of a refused value a message repeats


class ValueRefused(ValueError):
    """A typed value that is not a reading; ``message`` says why, translatable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RegisterSpec:
    """What the checks need of a register: its capacity and usual consumption (``name`` and
    ``unit`` only word the messages)."""

    code: str
    integer_digits: int
    decimals: int
    expected_daily: Decimal | None = None
    name: str = ""
    unit: str = ""

    @property
    def capacity(self) -> Decimal:
        """The value that shows as zero again: one past the largest the register can show."""
        return Decimal(10) ** self.integer_digits


@dataclass(frozen=True)
class PreviousReading:
    """The meter's last accepted reading: its day and each register's value (by code)."""

    on: date
    values: Mapping[str, Decimal]


@dataclass(frozen=True)
class RegisterResult:
    """One register of a checked reading: the value, its consumption since the previous reading
    (None for the first), what was expected over those days, and whether it wrapped."""

    value: Decimal
    consumption: Decimal | None = None
    expected: Decimal | None = None
    rollover: bool = False
    deviation: str | None = None  # "high" or "low" when outside the tolerance

    @property
    def judged(self) -> bool:
        return self.consumption is not None and self.expected is not None


@dataclass
class Check:
    """The outcome: ``errors`` (key: a register's code, ``DATE`` or ``FORM``) refuse the reading;
    without them ``results`` holds each register's value and consumption."""

    errors: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    previous: PreviousReading | None = None
    registers: tuple = ()
    locale: str = "en"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def plausible(self) -> bool | None:
        """False when a register is outside the tolerance; True when every register was judged and
        none is; None when there was nothing to judge by (a first reading, no expected consumption)."""
        if any(r.deviation for r in self.results.values()):
            return False
        if self.results and all(r.judged for r in self.results.values()):
            return True
        return None

    def issues(self) -> list:
        """What is implausible, one message per register, for the customer and for staff."""
        messages = []
        for spec in self.registers:
            result = self.results.get(spec.code)
            if result is None or result.deviation is None:
                continue
            mapping = {"register": spec.name or spec.code, "unit": spec.unit,
                       "consumption": number(result.consumption, self.locale),
                       "expected": number(result.expected, self.locale),
                       "date": format_date(self.previous.on, self.locale)}
            if result.deviation == "high":
                messages.append(_("${register}: ${consumption} ${unit} since ${date} is far more than the usual "
                                  "${expected} ${unit}.", mapping=mapping))
            else:
                messages.append(_("${register}: ${consumption} ${unit} since ${date} is far less than the usual "
                                  "${expected} ${unit}.", mapping=mapping))
        return messages


def number(value: Decimal, locale: str) -> str:
    """A value as the language writes numbers, with every decimal it has (and no trailing zeros)."""
    places = decimal_places(value)
    return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""), locale=locale)


def example(locale: str) -> str:
    return "12345" + get_decimal_symbol(locale) + "6"


def parse_value(text: str, locale: str) -> Decimal:
    """A typed reading as a Decimal: digits with at most one decimal separator of ``locale`` (a
    comma in Russian and Czech, a point in English; group spaces allowed). Raises ValueRefused."""
    typed = (text or "").strip()
    shown = typed[:SHOWN] + ("…" if len(typed) > SHOWN else "")
    compact = GROUP_SPACES.sub("", typed)
    if compact.startswith(MINUS) and PLAIN_NUMBER.fullmatch(compact[1:]):
        raise ValueRefused(_("A meter reading cannot be negative."))
    if not PLAIN_NUMBER.fullmatch(compact):
        raise ValueRefused(_("“${value}” is not a number; write it as the meter shows it, e.g. ${example}.",
                             mapping={"value": shown, "example": example(locale)}))
    if len(compact) > MAX_TYPED:
        raise ValueRefused(_("This number is far longer than the meter can show."))
    try:
        value = parse_decimal(compact, locale=locale, strict=True)
    except NumberFormatError:
        raise ValueRefused(_("“${value}” is not a number; write it as the meter shows it, e.g. ${example}.",
                             mapping={"value": shown, "example": example(locale)})) from None
    return value


def integer_digits(value: Decimal) -> int:
    """Digits before the decimal point (at least one: "0.5" has one)."""
    return max(1, value.adjusted() + 1) if value else 1


def decimal_places(value: Decimal) -> int:
    """Digits after the decimal point that are not trailing zeros ("12.50" has one)."""
    if not value:
        return 0
    return max(0, -value.normalize().as_tuple().exponent)


def within_capacity(value: Decimal, spec: RegisterSpec):
    """None when the register can show ``value``; else why not."""
    if integer_digits(value) > spec.integer_digits:
        return _("The meter shows at most ${digits} digits before the decimal point.",
                 mapping={"digits": spec.integer_digits})
    if decimal_places(value) > spec.decimals:
        if spec.decimals == 0:
            return _("The meter shows whole numbers only.")
        return _("The meter shows at most ${decimals} digits after the decimal point.",
                 mapping={"decimals": spec.decimals})
    return None


def deviation(consumption: Decimal, expected: Decimal, tolerance: Decimal) -> str | None:
    """"high" or "low" when ``consumption`` lies outside ``[expected / tolerance, expected × tolerance]``."""
    if consumption > expected * tolerance:
        return "high"
    if consumption * tolerance < expected:  # consumption < expected / tolerance, without dividing
        return "low"
    return None


def check_date(reading_date: date, *, today: date, previous: PreviousReading | None, locale: str):
    """None when a reading may be dated ``reading_date``; else why not."""
    if reading_date > today:
        return _("The date cannot be in the future.")
    if previous is not None and reading_date < previous.on:
        return _("The date is before the previous reading's (${date}).",
                 mapping={"date": format_date(previous.on, locale)})
    if previous is not None and reading_date == previous.on:
        return _("There is already a reading of this meter on ${date}: one a day.",
                 mapping={"date": format_date(previous.on, locale)})
    return None


def check_reading(registers, typed: Mapping[str, str | None], *, reading_date: date, today: date,
                  previous: PreviousReading | None, tolerance: Decimal, locale: str = "en") -> Check:
    """Check one meter's reading: ``typed`` maps each register's code to what was typed (None or ""
    for nothing). The result's errors refuse it; otherwise its results and ``plausible`` say
    what it is."""
    registers = tuple(registers)
    check = Check(previous=previous, registers=registers, locale=locale)
    values = {}
    for spec in registers:
        text = (typed.get(spec.code) or "").strip()
        if not text:
            continue
        try:
            value = parse_value(text, locale)
        except ValueRefused as refused:
            check.errors[spec.code] = refused.message
            continue
        refusal = within_capacity(value, spec)
        if refusal is not None:
            check.errors[spec.code] = refusal
            continue
        values[spec.code] = value
    given = [s for s in registers if (typed.get(s.code) or "").strip()]
    if not given:
        check.errors[FORM] = _("Enter the meter's readings.")
        return check
    if len(given) < len(registers):
        check.errors[FORM] = _("Enter every register of the meter, or none.")
        for spec in registers:
            if spec not in given:
                check.errors[spec.code] = _("Enter this register too.")
    refusal = check_date(reading_date, today=today, previous=previous, locale=locale)
    if refusal is not None:
        check.errors[DATE] = refusal
    if check.errors:
        return check
    days = (reading_date - previous.on).days if previous is not None else None
    for spec in registers:
        value = values[spec.code]
        before = previous.values.get(spec.code) if previous is not None else None
        if before is None:
            check.results[spec.code] = RegisterResult(value)
            continue
        expected = spec.expected_daily * days if spec.expected_daily else None
        consumption, rollover = value - before, False
        if consumption < 0:
            wrapped = value + spec.capacity - before
            if expected is None or deviation(wrapped, expected, tolerance) is not None:
                check.errors[spec.code] = _(
                    "Lower than the previous reading (${previous} on ${date}). If the meter was replaced, "
                    "please tell us: our staff record the new meter.",
                    mapping={"previous": number(before, locale), "date": format_date(previous.on, locale)})
                continue
            consumption, rollover = wrapped, True
        check.results[spec.code] = RegisterResult(
            value, consumption, expected, rollover,
            deviation(consumption, expected, tolerance) if expected is not None else None)
    if check.errors:
        check.results = {}
    return check
