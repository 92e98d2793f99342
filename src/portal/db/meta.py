"""Declarative base shared by every model, and the column types we insist on."""
import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints let alembic drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; its metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always UTC-aware in Python, whatever the backend.

    SQLite keeps no zone, so values are stored as naive UTC and given their
    zone back on load; a naive value on the way in is a programming error.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC-aware one is required")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(timezone.utc)


# Indexes that only PostgreSQL has (trigram search indexes, made by a migration): the models
# do not declare them, so comparing models with the database leaves them out.
POSTGRESQL_ONLY_INDEX_SUFFIX = "_trgm"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter for autogenerate and for the test that compares models with migrations."""
    return not (type_ == "index" and reflected and compare_to is None
                and (name or "").endswith(POSTGRESQL_ONLY_INDEX_SUFFIX))



def check_in(column: str, values: type[enum.Enum]) -> str:
    """A CHECK constraint's SQL: ``column`` holds one of the enum's values."""
    return "%s IN (%s)" % (column, ", ".join("'%s'" % v.value for v in values))
