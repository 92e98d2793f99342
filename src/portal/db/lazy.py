"""A page that only reads opens no transaction: GET and HEAD requests begin one at their first write.

Most GETs only read, and a transaction cost them two round trips (BEGIN, and the
ROLLBACK that ends a transaction that wrote nothing) and more: psycopg forgets
its prepared statements at every ROLLBACK, so each page parsed and planned all
of its statements anew (half of a list page's time in the database). On
PostgreSQL a GET's session therefore starts in autocommit, each read its own
statement; the first statement that is not a plain read (an INSERT, UPDATE or
DELETE, a flush, a ``SELECT … FOR UPDATE``, a savepoint, anything else) first
opens a transaction, which then holds every later statement and ends as before
(pyramid_tm commits it, or aborts it on an error). What a GET writes (the login
session's last-seen time, message receipts delivered by the header's counter,
an export's audit entry) is written in one transaction as it was.

The reads before the first write see what they would have seen in a
transaction: at READ COMMITTED (PostgreSQL's level, the portal's) every
statement sees the rows committed when it starts, in a transaction or not; a
read that must hold a row until the write locks it, which opens the transaction.

SQLite is left as it is: its transactions cost no round trip.
"""
import re
from functools import lru_cache

from sqlalchemy import event

BEGIN_ON_WRITE = "portal_begin_on_write"
READ_METHODS = frozenset({"GET", "HEAD"})
# A plain read: a SELECT that locks nothing. Anything else (a CTE, text, DDL) counts as a write, and
# so does a SELECT of a function that takes a transaction's lock or moves a sequence: in autocommit the
# lock would end with the statement.
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\bpg_advisory|\bnextval\s*\(", re.IGNORECASE)


# The statements' texts kept with their answer: a page's statements come from SQLAlchemy's compiled
# cache, the same texts on every page, and searching one of a thousand characters for a locking
# clause took a hundred microseconds (the header's counters), some three hundred a list page.
KEPT_STATEMENTS = 2048


@lru_cache(maxsize=KEPT_STATEMENTS)
def is_plain_read(statement: str) -> bool:
    """Whether ``statement`` only reads: a SELECT without a locking clause."""
    return bool(_SELECT.match(statement)) and not _NEEDS_TRANSACTION.search(statement)


def _begin_before_write(conn, cursor, statement, parameters, context, executemany):
    if not conn.get_execution_options().get(BEGIN_ON_WRITE) or is_plain_read(statement):
        return
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection.autocommit:
        # psycopg opens the transaction (BEGIN) before this statement; commit and rollback end it.
        dbapi_connection.autocommit = False


def read_engine(engine):
    """``engine`` for the sessions of GET and HEAD requests: autocommit until the first write
    (PostgreSQL with psycopg); ``engine`` itself elsewhere."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return engine
    event.listen(engine, "before_cursor_execute", _begin_before_write)
    return engine.execution_options(isolation_level="AUTOCOMMIT", **{BEGIN_ON_WRITE: True})


def engine_for(request, engine, reads):
    """The engine a request's session is bound to: ``reads`` for GET and HEAD, else ``engine``."""
    return reads if request.method in READ_METHODS else engine
