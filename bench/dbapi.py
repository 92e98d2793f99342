"""A bare driver connection from a SQLAlchemy URL, importing nothing of SQLAlchemy.

The bare side of a measurement must not pay for what it is compared against:
its process loads the driver (psycopg or sqlite3) and nothing else.
"""
import sqlite3


def connect(url: str):
    """psycopg (``postgresql+psycopg://...``) or sqlite3 (``sqlite:///path``), in autocommit."""
    scheme, rest = url.split("://", 1)
    if scheme == "sqlite":
        return sqlite3.connect(rest[1:], isolation_level=None, check_same_thread=False)
    if scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ValueError(f"no bare driver for {scheme}")
    import psycopg

    return psycopg.connect("postgresql://" + rest, autocommit=True)
