"""Paging and sorting of lists in the database, never in Python (``views.listing`` builds the lists)."""
import math
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# The pager counts no further than this: "1–50 of more than 1000" past it. Counting up to a
# thousand rows costs a fraction of a millisecond whatever the table's size (a whole count
# of 100,000 parties took 54 ms); nobody pages through twenty pages to find a row.
DEFAULT_COUNT_CAP = 1000
# A search text longer than this is cut: a huge LIKE pattern would cost the database for nothing.
MAX_QUERY = 100


@lru_cache(maxsize=512)
def row_class(names: tuple):
    """The named tuple a page's rows of these column names are read into, or None when the names
    cannot be a named tuple's fields (an underscore first, a keyword): its rows stay as they came.

    A template reads a dozen columns of each of fifty rows, and reading a column of SQLAlchemy's
    ``Row`` by name took ten times as long as of a named tuple (330 ns against 30): read as they came,
    a list page's rows cost some 1.5 million instructions more than making them named tuples does.
    """
    try:
        return namedtuple("Row", names)
    except ValueError:
        return None


def parse_page(value, default=1) -> int:
    try:
        page = int(value)
    except (TypeError, ValueError):
        return default
    return page if 1 <= page <= 1_000_000 else default


@dataclass(frozen=True)
class SortSpec:
    """A whitelisted sort key from the query string, and its direction."""

    key: str
    descending: bool

    @classmethod
    def parse(cls, value, allowed, default):
        value = value or default
        descending = value.startswith("-")
        key = value.lstrip("-")
        if key not in allowed:
            return cls.parse(default, allowed, default)
        return cls(key, descending)

    @property
    def value(self) -> str:
        """The query-string value that keeps this sort."""
        return ("-" if self.descending else "") + self.key

    def token(self, key=None) -> str:
        """The query-string value that sorts by ``key`` (toggling when already sorted by it)."""
        key = key or self.key
        if key == self.key:
            return key if self.descending else "-" + key
        return key


def escape_like(value: str) -> str:
    """``value`` taken literally inside a LIKE pattern with ``ESCAPE '\\'``."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Page:
    """One page of a select statement, and as much of its total as is cheap to know.

    The pager counts at most ``count_cap + 1`` rows, so a page costs the same
    at ten thousand rows as at ten million: below the cap the total is exact;
    above it the page says "more than <cap>" and pages on with previous/next.
    A page beyond the cap looks one row ahead to know whether a next one
    exists, and its last page learns the exact total from where it ends.

    With ``count=False`` (a search) nothing is counted: the page looks one
    row ahead, and says "more than" the rows up to its end. A search's count
    walks every match however few the page shows (the directory's search of
    100,000 parties counted a thousand matches in 3.6 ms, its page took 1.5),
    and a search is for finding a row, not for counting them: a result that
    fits in one page still gets its exact total, for free.
    """

    def __init__(self, dbsession, statement, *, page=1, page_size=DEFAULT_PAGE_SIZE, scalars=True,
                 count_cap=DEFAULT_COUNT_CAP, total=None, count=True):
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self.count_cap = max(count_cap, self.page_size)
        self._db, self._statement, self._scalars = dbsession, statement, scalars
        self.page = max(1, page)
        counted = None  # how many rows the count found, when it ran
        if total is not None:  # the caller counted the whole set already (a list's totals): exact, not counted again
            self.total_known, self.total = True, total
        elif count:
            counted = self._count(self.count_cap + 1)
            self.total_known = counted <= self.count_cap
            self.total = counted if self.total_known else self.count_cap
        else:
            self.total_known = False
        if self.total_known:
            self.page = min(self.page, self.page_count)
            self.items = self._rows(self.page_size)
            return
        # More rows than the cap, or not counted: the count proves a next page only while it reaches past this one.
        proven = counted is not None and counted > self.offset + self.page_size
        items = self._rows(self.page_size if proven else self.page_size + 1)
        if not items and self.page > 1:
            # Past the end (a hand-made URL): the set ends before this offset, so counting it is bounded.
            self.total = self._count(self.offset)
            self.total_known = True
            self.page = max(1, min(self.page, self.page_count))
            items = self._rows(self.page_size)
        elif not proven and len(items) <= self.page_size:
            # The last page: the total is where it ends.
            self.total = self.offset + len(items)
            self.total_known = True
        elif counted is None:
            # Not counted, and a row beyond this page: "more than" the rows up to this page's end.
            self.total = self.offset + self.page_size
        self._more = proven or len(items) > self.page_size
        self.items = items[:self.page_size]

    def _count(self, limit: int) -> int:
        """How many rows the statement gives, counting no further than ``limit``."""
        bounded = self._statement.order_by(None).limit(limit)
        return self._db.scalar(select(func.count()).select_from(bounded.subquery()))

    def _rows(self, limit: int) -> list:
        result = self._db.execute(self._statement.limit(limit).offset(self.offset))
        if self._scalars:
            return result.scalars().all()
        named = row_class(tuple(result.keys()))
        return result.all() if named is None else [named._make(row) for row in result]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def page_count(self) -> int | None:
        """How many pages there are; None while the total is not known."""
        return max(1, math.ceil(self.total / self.page_size)) if self.total_known else None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count if self.total_known else self._more

    @property
    def first_item(self) -> int:
        return 0 if not self.items else self.offset + 1

    @property
    def last_item(self) -> int:
        return self.offset + len(self.items)
