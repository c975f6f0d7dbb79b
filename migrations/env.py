"""Alembic environment: the URL comes from the caller (credit-cases db upgrade), never from a file."""
from __future__ import annotations

import importlib
import pkgutil

from alembic import context

import workflows.store
from workflows.store.base import Base
from workflows.store.db import make_engine

config = context.config

# every module of workflows.store registers its tables with Base.metadata
for module in pkgutil.iter_modules(workflows.store.__path__):
    importlib.import_module(f"workflows.store.{module.name}")


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    if connection.dialect.name != "sqlite":
        _migrate(connection)
        return
    # SQLite alters a table by copying it and dropping the old one, which its foreign keys refuse as soon as
    # other tables' rows point at it: they are off while migrating (the switch only works outside a transaction)
    # and every reference is checked before they are on again.
    connection.commit()
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        _migrate(connection)
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migrations left rows pointing at nothing (table, row, parent): {broken[:10]}")
    finally:
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
