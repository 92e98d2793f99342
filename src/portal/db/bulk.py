"""Writing many rows of one table at once, in the caller's transaction: a batch's thousands of invoice
lines or letters, without an ORM object each.

On PostgreSQL (psycopg) the rows go by ``COPY … FROM STDIN``: one statement, the values streamed as
the driver writes them, where an executemany sends, and the driver prepares, a statement a row (and a
many-row VALUES has the driver convert a placeholder a value). Elsewhere, and on a connection that is
not in a transaction (a GET's, db/lazy.py: an executemany opens it), the rows go by executemany. Both
write what an INSERT of SQLAlchemy would: the columns' Python defaults made for each row and each value
passed through its type (a ``UTCDateTime`` refuses a naive time as ever), the database's defaults for
the columns left out; a refused row fails the whole statement as SQLAlchemy's ``IntegrityError``.
"""
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, StatementError


def insert_rows(session, table, rows: list[dict]) -> int:
    """Insert ``rows`` (dicts of the same columns of ``table``) in the session's transaction; how many."""
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    defaults = [column for column in table.columns if column.key not in rows[0] and column.default is not None]
    if (dialect.name != "postgresql" or dialect.driver != "psycopg"
            or connection.connection.driver_connection.autocommit
            or not all(column.default.is_scalar or column.default.is_callable for column in defaults)):
        connection.execute(insert(table), rows)
        return len(rows)
    columns = [table.columns[key] for key in rows[0]] + defaults
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    preparer = dialect.identifier_preparer
    statement = (f"COPY {preparer.format_table(table)} ({', '.join(preparer.quote(c.name) for c in columns)})"
                 " FROM STDIN")
    given = [column.key for column in columns[:len(columns) - len(defaults)]]
    try:  # every value through its type before the COPY starts: one it refuses leaves the transaction as it was
        prepared = [[value if process is None else process(value) for value, process in zip(
            [row[key] for key in given] + [_default(column) for column in defaults], processors, strict=True)]
            for row in rows]
    except Exception as error:  # as SQLAlchemy reports a value its type refuses
        raise StatementError(f"({type(error).__name__}) {error}", statement, None, error) from error
    try:
        with connection.connection.driver_connection.cursor() as cursor:
            # Told to the engine's listeners as any statement (the statement counts of the tests, db/lazy.py).
            connection.dispatch.before_cursor_execute(connection, cursor, statement, None, None, False)
            with cursor.copy(statement) as copy:
                for values in prepared:
                    copy.write_row(values)
            connection.dispatch.after_cursor_execute(connection, cursor, statement, None, None, False)
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
    return len(rows)


def _default(column):
    default = column.default
    return default.arg(None) if default.is_callable else default.arg
