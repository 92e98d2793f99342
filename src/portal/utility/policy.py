"""How self-readings are judged, from the .ini: read and checked once at start, so a bad value
stops the start with a message that names the setting rather than failing on a customer's reading.

- ``portal.readings.tolerance``: a factor of at least 1 (default 3). A consumption between the
  expected one divided by it and multiplied by it is plausible.
- ``portal.readings.auto_accept``: true or false (default false). True: a plausible reading is
  accepted at once; false: every reading waits for staff review.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pyramid.exceptions import ConfigurationError

TOLERANCE_SETTING = "portal.readings.tolerance"
AUTO_ACCEPT_SETTING = "portal.readings.auto_accept"
DEFAULT_TOLERANCE = Decimal(3)
MAX_TOLERANCE = Decimal(1000)
TRUE = ("true", "yes", "on", "1")
FALSE = ("false", "no", "off", "0", "")
POLICY_KEY = "portal.readings.policy"


@dataclass(frozen=True)
class ReadingPolicy:
    tolerance: Decimal = DEFAULT_TOLERANCE
    auto_accept: bool = False

    @classmethod
    def from_settings(cls, settings) -> "ReadingPolicy":
        """The policy the settings give; ConfigurationError naming the setting when one is not valid."""
        settings = settings or {}
        raw = str(settings.get(TOLERANCE_SETTING, DEFAULT_TOLERANCE)).strip()
        try:
            tolerance = Decimal(raw)
        except InvalidOperation:
            tolerance = None
        if tolerance is None or not tolerance.is_finite() or not 1 <= tolerance <= MAX_TOLERANCE:
            raise ConfigurationError(
                f"{TOLERANCE_SETTING} must be a number from 1 to {MAX_TOLERANCE} (how many times the expected "
                f"consumption a reading may be off, e.g. 3), not {raw!r}")
        raw = str(settings.get(AUTO_ACCEPT_SETTING, "false")).strip().lower()
        if raw not in TRUE + FALSE:
            raise ConfigurationError(f"{AUTO_ACCEPT_SETTING} must be true or false, not {raw!r}")
        return cls(tolerance=tolerance, auto_accept=raw in TRUE)


def reading_policy(registry) -> ReadingPolicy:
    """The policy read at start (``includeme``)."""
    return registry[POLICY_KEY]
