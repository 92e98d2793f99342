"""The bare Pyramid app a list page is measured against: the same work with nothing of the portal.

Each list runs the portal's own SQL for that page (its count and its 50 rows,
captured by bench/run) through the bare database driver and renders the rows
as a Chameleon table: no session, login, security policy, ORM, transaction
manager, layout or translation. ``BENCH_BARE_SPEC`` (JSON) says what to serve:
``{"db_url": ..., "lists": {name: {"queries": [[sql, params], ...], "columns": [...]}}}``;
the first column links, as the portal's first column does.
"""
import json
import os
from pathlib import Path

from pyramid.config import Configurator

from .dbapi import connect

TEMPLATE = str(Path(__file__).with_name("bare_table.pt"))


class ListView:
    """One list: its queries, and which result columns the table shows (the row id first)."""

    connection = None  # one per worker process, opened on the first request (after the fork)

    def __init__(self, db_url, name, queries, columns):
        self.db_url, self.name, self.columns = db_url, name, columns
        (self.count_sql, self.count_params), (self.rows_sql, self.rows_params) = queries

    def __call__(self, request):
        if ListView.connection is None:
            ListView.connection = connect(self.db_url)
        cursor = ListView.connection.cursor()
        cursor.execute(self.count_sql, self.count_params)
        (total,) = cursor.fetchone()
        cursor.execute(self.rows_sql, self.rows_params)
        names = [d[0] for d in cursor.description]
        picks = [names.index("id")] + [names.index(c) for c in self.columns]
        rows = [[row[i] for i in picks] for row in cursor.fetchall()]
        return {"title": self.name, "total": total, "columns": self.columns, "rows": rows}


def make_app():
    spec = json.loads(os.environ["BENCH_BARE_SPEC"])
    with Configurator() as config:
        config.include("pyramid_chameleon")
        for name, page in spec["lists"].items():
            config.add_route(name, f"/{name}/")
            config.add_view(ListView(spec["db_url"], name, page["queries"], page["columns"]),
                            route_name=name, renderer=TEMPLATE)
    return config.make_wsgi_app()
