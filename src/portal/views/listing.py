"""The list page every item kind shares: filter by whitelisted values, sort, page — in the database."""
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError

from portal.views.pagination import DEFAULT_COUNT_CAP, DEFAULT_PAGE_SIZE, Page, SortSpec, parse_page

COUNT_CAP_SETTING = "portal.list_count_cap"


def parse_count_cap(settings) -> int:
    """``portal.list_count_cap`` as a whole number of at least one page; a bad value stops the start."""
    raw = (settings or {}).get(COUNT_CAP_SETTING, DEFAULT_COUNT_CAP)
    try:
        cap = int(str(raw).strip())
    except ValueError:
        cap = 0
    if cap < DEFAULT_PAGE_SIZE:
        raise ConfigurationError(f"{COUNT_CAP_SETTING} must be a whole number of at least "
                                 f"{DEFAULT_PAGE_SIZE}, not {raw!r}")
    return cap


def count_cap(registry) -> int:
    """How far a list's pager counts (``portal.list_count_cap``), read once per application."""
    cap = registry.get(COUNT_CAP_SETTING)
    if cap is None:
        cap = registry[COUNT_CAP_SETTING] = parse_count_cap(registry.settings)
    return cap


def list_page(request, statement, *, scalars=True) -> Page:
    """The page of ``statement`` the query string asks for, its total counted up to the cap."""
    return Page(request.dbsession, statement, page=parse_page(request.params.get("page")), scalars=scalars,
                count_cap=count_cap(request.registry))


@dataclass
class ItemList:
    """One list request: the filters taken from the query string, the sort, the page."""

    filters: dict
    sort: SortSpec
    page: Page

    @classmethod
    def build(cls, request, statement, *, sorts: dict, default_sort: str, filters: dict):
        """``filters`` maps a query-string name to (column, allowed values); anything else is ignored."""
        chosen, sort, statement = cls.filtered(request, statement, sorts=sorts, default_sort=default_sort,
                                               filters=filters)
        return cls(chosen, sort, list_page(request, statement))

    @staticmethod
    def filtered(request, statement, *, sorts: dict, default_sort: str, filters: dict):
        """The chosen filters, the sort and the filtered, sorted statement, unpaged.

        The list page and its export both come here, so a download holds
        exactly the rows the page lists, in the same order.
        """
        chosen = {}
        for name, (column, allowed) in filters.items():
            value = request.params.get(name, "")
            if value and value in allowed:
                chosen[name] = value
                statement = statement.where(column == (int(value) if value.isdigit() else value))
        sort = SortSpec.parse(request.params.get("sort"), sorts, default_sort)
        column = sorts[sort.key]
        model_id = statement.column_descriptions[0]["entity"].id
        statement = statement.order_by(column.desc() if sort.descending else column.asc(), model_id.desc())
        return chosen, sort, statement

    @property
    def query(self) -> dict:
        """The query string that gives this list again, without the page (for its export link)."""
        return dict(self.filters, sort=self.sort.value)


def includeme(config):
    """Read the count cap at start, so a bad value is reported then, not on every list page."""
    config.registry[COUNT_CAP_SETTING] = parse_count_cap(config.get_settings())
