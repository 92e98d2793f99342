"""A batch's look-ups by a list of keys: ``column`` is one of these few hundred values (or two columns
one of these pairs).

An ``IN (...)`` has a placeholder per value, which SQLAlchemy renders and the driver converts one by
one for every statement (psycopg keeps no converted statement of more than 50 parameters): a batch of
invoices looks things up a few hundred times. On PostgreSQL the values go as one array instead
(``= ANY(...)``, which the indexes serve as they serve ``IN``): one placeholder, a statement converted
once. Elsewhere it is the ``IN``.
"""
from sqlalchemy import any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY

IN_LIST = 500  # values in one look-up: a batch asks in slices of this many, well under what the databases take


def among(session, column, values):
    """SQL: ``column`` is one of ``values`` (a list: ``IN_LIST`` at most, or a batch's few thousand readers)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def among_pairs(session, columns, pairs):
    """SQL: the two ``columns`` together are one of ``pairs`` (a list of at most ``IN_LIST`` pairs, sliced by
    the caller); on PostgreSQL as two arrays unnested side by side (two placeholders)."""
    pairs = list(pairs)
    if session.get_bind().dialect.name == "postgresql":
        given = func.unnest(*(bindparam(None, [pair[n] for pair in pairs], type_=ARRAY(column.type))
                              for n, column in enumerate(columns))).table_valued("first", "second").render_derived()
        return tuple_(*columns).in_(select(given.c.first, given.c.second))
    return tuple_(*columns).in_(pairs)
