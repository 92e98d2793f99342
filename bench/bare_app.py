"""The bare Pyramid app a list page is measured against: the same work with nothing of the portal.

Each list runs the portal's own SQL for that page (captured by bench/run: its
count, its 50 rows, and any lookup the page's view makes, such as the request
types) through the bare database driver and renders the rows as a Chameleon
table: no session, login, security policy, ORM, transaction manager, layout
or translation. ``BENCH_BARE_SPEC`` (JSON) says what to serve:
``{"db_url": ..., "lists": {name: {"queries": [[sql, params], ...], "columns": [...],
"labels": {column: label column}}}}``; the first column links, as the portal's
first linked column does, and a column in ``labels`` shows the label a lookup
query gave its value (``type_id`` → the type's ``code``).

The statements' results are told apart by their shape, not their order, so
whatever the portal's pager does (an exact count, a bounded one, none) the
bare page runs the same statements: the first single value is the count, a result
with every shown column is the page of rows, any other result is a lookup (a later
single value too: the user list's licence line counts the seats taken).
"""
import json
import os
from pathlib import Path

from pyramid.config import Configurator

from .dbapi import connect

TEMPLATE = str(Path(__file__).with_name("bare_table.pt"))
# The rows a list page shows. A page that counts nothing (a search) reads one row more, to know
# whether a next page follows, and shows this many, as the portal's pager does.
PAGE_SIZE = 50


class ListView:
    """One list: its queries, which result columns the table shows (the row id first), their labels."""

    connection = None  # one per worker process, opened on the first request (after the fork)

    def __init__(self, db_url, name, queries, columns, labels=None):
        self.db_url, self.name, self.columns = db_url, name, columns
        self.queries = [(sql, params) for sql, params in queries]
        self.labels = labels or {}

    def __call__(self, request):
        if ListView.connection is None:
            ListView.connection = connect(self.db_url)
        cursor = ListView.connection.cursor()
        total, page, lookups = None, None, []
        for sql, params in self.queries:
            cursor.execute(sql, params)
            names = [d[0] for d in cursor.description]
            result = cursor.fetchall()
            if len(names) == 1 and len(result) == 1 and total is None:
                total = result[0][0]
            elif "id" in names and all(c in names for c in self.columns):
                page = (names, result)
            else:
                lookups.append((names, result))
        names, result = page
        result = result[:PAGE_SIZE]
        label_of = {column: self.lookup(lookups, label) for column, label in self.labels.items()}
        picks = [names.index("id")] + [names.index(c) for c in self.columns]
        shown = [label_of.get(c) for c in self.columns]
        rows = [[row[picks[0]]] + [row[i] if labels is None else labels.get(row[i], row[i])
                                   for i, labels in zip(picks[1:], shown)] for row in result]
        return {"title": self.name, "total": len(rows) if total is None else total, "columns": self.columns,
                "rows": rows}

    @staticmethod
    def lookup(lookups, label) -> dict:
        """id -> ``label`` from the lookup result that has that column.

        The ORM may name a lookup's columns after their table
        (``request_types_code``): the id is then the one with the same prefix.
        """
        for names, result in lookups:
            for value, name in enumerate(names):
                if name == label or name.endswith("_" + label):
                    key = name[:-len(label)] + "id"
                    if key in names:
                        key = names.index(key)
                        return {row[key]: row[value] for row in result}
        return {}


def make_app():
    spec = json.loads(os.environ["BENCH_BARE_SPEC"])
    with Configurator() as config:
        config.include("pyramid_chameleon")
        for name, page in spec["lists"].items():
            config.add_route(name, f"/{name}/")
            config.add_view(ListView(spec["db_url"], name, page["queries"], page["columns"], page.get("labels")),
                            route_name=name, renderer=TEMPLATE)
    return config.make_wsgi_app()
