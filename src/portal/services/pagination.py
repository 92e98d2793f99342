"""Paging, searching and sorting of lists in the database, never in Python."""
import math
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# A search text longer than this is cut: a huge LIKE pattern would cost the database for nothing.
MAX_QUERY = 100


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


@dataclass(frozen=True)
class Listing:
    """A list's search text and sort, and the statement they give.

    A list page and its export both build their query here, so what a user
    downloads is exactly what the page shows, in the same order and scope.
    """

    q: str
    sort: SortSpec
    statement: Select

    @classmethod
    def build(cls, statement, params, *, search, sorts, default_sort, tiebreak):
        """Search ``search`` columns for ``params["q"]`` and sort by a whitelisted ``params["sort"]``.

        ``tiebreak`` (a unique column) makes the order total, so paging never
        shows a row twice or skips one.
        """
        q = (params.get("q") or "").strip()[:MAX_QUERY]
        sort = SortSpec.parse(params.get("sort"), sorts, default_sort)
        if q:
            # lower() LIKE rather than ILIKE: the same match (PostgreSQL's ILIKE lowers
            # both sides of every comparison), a third cheaper on a search that scans.
            pattern = func.lower("%" + escape_like(q.lower()) + "%")
            statement = statement.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in search)))
        column = sorts[sort.key]
        statement = statement.order_by(column.desc() if sort.descending else column.asc(), tiebreak)
        return cls(q, sort, statement)

    @property
    def query(self) -> dict:
        """The query string that gives this listing again (for links such as its export)."""
        return {"q": self.q, "sort": self.sort.value} if self.q else {"sort": self.sort.value}


class Page:
    """One page of a select statement, with the total count for the pager."""

    def __init__(self, dbsession, statement, *, page=1, page_size=DEFAULT_PAGE_SIZE, scalars=True):
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self.total = dbsession.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        self.page_count = max(1, math.ceil(self.total / self.page_size))
        self.page = min(max(1, page), self.page_count)
        offset = (self.page - 1) * self.page_size
        result = dbsession.execute(statement.limit(self.page_size).offset(offset))
        self.items = result.scalars().all() if scalars else result.all()

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def first_item(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.page * self.page_size)
