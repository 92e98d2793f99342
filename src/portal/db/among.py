"""A batch's look-ups by a list of keys: ``column`` is one of these few hundred values.

An ``IN (...)`` has a placeholder per value, which SQLAlchemy renders and the driver converts one by
one for every statement (psycopg keeps no converted statement of more than 50 parameters): a batch of
invoices looks things up a few hundred times. On PostgreSQL the values go as one array instead
(``= ANY(...)``, which the indexes serve as they serve ``IN``): one placeholder, a statement converted
once. Elsewhere it is the ``IN``.
"""
from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def among(session, column, values):
    """SQL: ``column`` is one of ``values`` (a list, kept to a few hundred by the caller)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)
