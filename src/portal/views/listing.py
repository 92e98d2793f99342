"""One list machinery: a ``ListSpec`` says what a list is, a ``ListView`` shows it as a page and as an .xlsx.

A list is declared once — its export columns, sorts, filters, search
columns, and the query it starts from (the traversal context's) — and both
its page and its download are made from that one declaration, so what a user
downloads is exactly what the page lists: the same scope, filters, search and
order, every page of it. Filtering, searching, sorting and paging all happen
in the database.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from pyramid.decorator import reify
from pyramid.exceptions import ConfigurationError
from sqlalchemy import func, or_

from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.views.downloads import xlsx_download
from portal.views.pagination import (
    DEFAULT_COUNT_CAP,
    DEFAULT_PAGE_SIZE,
    MAX_QUERY,
    Page,
    SortSpec,
    escape_like,
    parse_page,
)

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


def list_page(request, statement, *, scalars=True, total=None, count=True) -> Page:
    """The page of ``statement`` the query string asks for, its total counted up to the cap (or ``total``,
    when the caller knows it exactly; not counted past the page when ``count`` is False: a search)."""
    return Page(request.dbsession, statement, page=parse_page(request.params.get("page")), scalars=scalars,
                count_cap=count_cap(request.registry), total=total, count=count)


def per_request(value, request):
    """``value``, or what it gives for ``request`` when it is a callable (a value computed per request)."""
    return value(request) if callable(value) else value


class AnyId:
    """The allowed values of a filter by a row's id: any well-formed id (one that names nothing lists nothing).

    Saves reading every row of a table to check a filter value, and keeps an
    id too large for the column away from the database.
    """

    def __contains__(self, value) -> bool:
        return parse_id(value) is not None


ANY_ID = AnyId()


@dataclass(frozen=True)
class ListSpec:
    """What a list is, declared once, so its page and its export cannot drift apart.

    ``columns``: the export's ``views.xlsx.Column``s, or a callable(request)
    giving them (when a column needs the request: its language, the registry).
    ``sorts``: query-string key -> SQL column (or the name of a column of the
    statement, for a list of rows such as a union); ``default_sort`` one of
    them, ``-`` for descending. ``tiebreak``: the order expression(s) after the
    sort, ending on a unique column, so the order is total and paging never
    shows a row twice or skips one.
    ``filters``: query-string name -> (column, allowed values). Only an allowed
    value filters; anything else is ignored. The allowed values may be a
    callable(request). The column may instead be a callable(request, value)
    giving the condition, or None: the value is then only read, and the
    view's ``statement()`` applies it (``ListView.filters``).
    ``search``: the columns ``?q=`` is looked for in (a part of the text, any
    case). ``title`` names the sheet and the file (a TranslationString, or a
    callable(request)); ``ascii_name`` the file for clients that cannot read
    that. ``scalars``: the page's rows are entities (False: rows of columns);
    ``export_scalars`` says so for the export when its statement differs.
    ``shown``: the names of the entity's columns the page's rows show (or of a
    column ``statement()`` adds, by its label); the page then selects those
    alone, as plain rows (building fifty ORM objects cost a list page more than
    its query did); the export still reads the entities.
    """

    columns: Any
    sorts: Mapping[str, Any] | Callable
    default_sort: str
    tiebreak: Any = ()
    filters: Mapping[str, tuple] = field(default_factory=dict)
    search: tuple = ()
    title: Any = "Export"
    ascii_name: str = "export"
    scalars: bool = True
    export_scalars: bool | None = None
    shown: tuple = ()


class ListView:
    """A list page and its .xlsx export, both made from the class's ``spec`` and its ``statement()``.

    Register one subclass twice, e.g.::

        @view_config(context=TicketsContainer, name="", attr="page", renderer="...", ...)
        @view_config(context=TicketsContainer, name="export.xlsx", attr="export", ...)
        class TicketList(ListView):
            spec = ListSpec(...)

            def statement(self):
                return self.context.query()

    The query string is read once, here: ``sort``, ``q`` (when the spec
    searches) and the filters, each kept only when allowed, so the page, its
    links and its export agree on them.
    """

    spec: ListSpec

    def __init__(self, context, request):
        self.context = context
        self.request = request
        params = request.params
        self.sorts = per_request(self.spec.sorts, request)
        self.sort = SortSpec.parse(params.get("sort"), self.sorts, self.spec.default_sort)
        self.q = (params.get("q") or "").strip()[:MAX_QUERY] if self.spec.search else ""
        self.filters = {}
        for name, (_column, allowed) in self.spec.filters.items():
            value = params.get(name, "")
            if value and value in per_request(allowed, request):
                self.filters[name] = value

    # --- what subclasses give ----------------------------------------------------------------
    def statement(self):
        """The list's rows before filters, search and order: the query from the traversal context."""
        raise NotImplementedError

    def export_statement(self, statement):
        """The export's statement from the listed one (e.g. with joinedload options); the same by default."""
        return statement

    def extra(self, page) -> dict:
        """Values the template needs beyond the list's own (names per row, permissions)."""
        return {}

    # --- the list -----------------------------------------------------------------------------
    def condition(self, name, value):
        """The SQL condition of filter ``name`` at ``value``; None when ``statement()`` applies it."""
        column = self.spec.filters[name][0]
        if column is None:
            return None
        if callable(column):
            return column(self.request, value)
        return column == (int(value) if value.isascii() and value.isdigit() else value)

    def _column(self, statement, column):
        return statement.selected_columns[column] if isinstance(column, str) else column

    def order(self, statement):
        """``statement`` in the chosen order, then the tiebreak."""
        column = self._column(statement, self.sorts[self.sort.key])
        tiebreak = self.spec.tiebreak if isinstance(self.spec.tiebreak, tuple) else (self.spec.tiebreak,)
        return statement.order_by(column.desc() if self.sort.descending else column.asc(),
                                  *(self._column(statement, c) for c in tiebreak))

    def listed(self):
        """``statement()`` filtered, searched and sorted as asked: what the page pages and the export writes.

        Built once per view: the page, its totals and its export each ask for it, and the query
        string it is made of is read once, in ``__init__``.
        """
        statement = self.__dict__.get("_listed")
        if statement is None:
            statement = self.__dict__["_listed"] = self._filtered()
        return statement

    def _filtered(self):
        statement = self.statement()
        for name, value in self.filters.items():
            condition = self.condition(name, value)
            if condition is not None:
                statement = statement.where(condition)
        if self.q:
            # lower() LIKE rather than ILIKE: the same match (PostgreSQL's ILIKE lowers
            # both sides of every comparison), a third cheaper on a search that scans.
            pattern = func.lower("%" + escape_like(self.q.lower()) + "%")
            statement = statement.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in self.spec.search)))
        return self.order(statement)

    @property
    def query(self) -> dict:
        """The query string that gives this list again, without the page (its export link)."""
        query = dict(self.filters)
        if self.q:
            query["q"] = self.q
        query["sort"] = self.sort.value
        return query

    # --- the two views --------------------------------------------------------------------------
    def page_statement(self):
        """What the page pages: ``listed()``, narrowed to the ``shown`` columns when the spec names them."""
        statement = self.listed()
        if not self.spec.shown:
            return statement
        first, *added = statement.column_descriptions
        added = {column["name"]: column["expr"] for column in added}  # columns ``statement()`` adds, by label
        return statement.with_only_columns(*(added[name] if name in added else getattr(first["entity"], name)
                                             for name in self.spec.shown))

    def known_total(self) -> int | None:
        """How many rows ``listed()`` gives, when the view has counted them exactly already (its totals
        did); None, and the pager counts."""
        return None

    def page(self) -> dict:
        """The page for the template: ``page`` (rows, pager), ``sort``, ``q``, ``filters``, ``export_url``."""
        # A search is not counted past its page (``Page``): its count walked every match.
        page = list_page(self.request, self.page_statement(), scalars=self.spec.scalars and not self.spec.shown,
                         total=self.known_total(), count=not self.q)
        values = {
            "listing": self,
            "page": page,
            "sort": self.sort,
            "q": self.q,
            "filters": self.filters,
            "export_url": self.request.resource_url(self.context, "export.xlsx", query=self.query),
        }
        values.update(self.extra(page))
        return values

    def export(self):
        """Every row the page lists (same filters, search and order, every page), streamed as .xlsx."""
        spec = self.spec
        scalars = spec.scalars if spec.export_scalars is None else spec.export_scalars
        title = per_request(spec.title, self.request)
        response = xlsx_download(
            self.request, self.export_statement(self.listed()), per_request(spec.columns, self.request),
            title=title, ascii_name=spec.ascii_name, scalars=scalars,
        )
        # Written once the file is made, so the audit log's own export does not list its entry.
        self.audit_export(title)
        return response

    def audit_export(self, title) -> None:
        """A member of staff taking a list out of the portal is audited: which list (its title's
        message id and its page), with which filters, search and order. A customer's export of
        its own data is not."""
        identity = self.request.identity
        if identity is None or not identity.is_staff:
            return
        self.request.find_service(IAuditService).record(
            "list.export", f"list:{self.spec.ascii_name}", list=str(title),
            path=self.request.path_info.rsplit("/", 1)[0] + "/", filters=dict(self.filters), q=self.q or None,
            sort=self.sort.value,
        )


class TotalledListView(ListView):
    """A list that shows what every listed row adds up to, per currency (or any other group): each
    group's ``count`` among its sums. The pager takes their count, so the set is counted once, and
    exactly, searched or not (a search's pager would otherwise say "more than" above exact totals).
    """

    def totals_of(self, listed) -> list:
        """The totals of ``listed`` (every row, not one page), each with its ``count``."""
        raise NotImplementedError

    @reify
    def totals(self) -> list:
        return self.totals_of(self.listed())

    def known_total(self) -> int:
        return sum(each.count for each in self.totals)


def includeme(config):
    """Read the count cap at start, so a bad value is reported then, not on every list page."""
    config.registry[COUNT_CAP_SETTING] = parse_count_cap(config.get_settings())
