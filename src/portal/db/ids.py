"""Ids from URLs and forms: digits only, within the range of the INTEGER columns."""

# PostgreSQL refuses to compare an INTEGER column with a larger number (an error, not a miss).
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """``value`` (a URL segment or a form field) as a row id, or None when it cannot be one."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def id_or_key_error(key) -> int:
    """For ``__getitem__``: the id, or KeyError (a 404) for anything else."""
    row_id = parse_id(key)
    if row_id is None:
        raise KeyError(key)
    return row_id
