"""The list page every item kind shares: filter by whitelisted values, sort, page — in the database."""
from dataclasses import dataclass

from ..services.pagination import Page, SortSpec, parse_page


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
        page = Page(request.dbsession, statement, page=parse_page(request.params.get("page")))
        return cls(chosen, sort, page)

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
