"""Declarative base and column types shared by every model."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from workflows import clock

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT ids on PostgreSQL; SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """The product's clock (workflows.clock): settable by tests and demos, the system clock otherwise."""
    return clock.now()


def insert_for(dialect: str):
    """The dialect's INSERT, the one with ON CONFLICT (`on_conflict_do_nothing`, `on_conflict_do_update`): the
    product runs on PostgreSQL and SQLite alone."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@lru_cache(maxsize=None)
def insert_unless_there(dialect: str, table: Table, columns: tuple[str, ...], unique: tuple[str, ...],
                        returning: tuple[str, ...]):
    """INSERT of `columns` (a bound parameter each, named as the column) ... ON CONFLICT (`unique`) DO NOTHING
    RETURNING `returning`: nothing comes back when the row was there. Built once per dialect and table, then
    executed with each row's values: built for each row, such a statement cost more CPU than its execution."""
    insert = insert_for(dialect)
    return (insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in columns})
            .on_conflict_do_nothing(index_elements=list(unique)).returning(*(table.c[name] for name in returning)))
