"""Engines and sessions outside Flask (worker, scheduler, CLI), with the same settings as the web app."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def private_sqlite_file(url: str) -> None:
    """A SQLite database readable and writable by the service's user alone (0600), created so before SQLite
    opens it: SQLite gives its -wal and -shm files the database file's permissions."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if part.exists():
            part.chmod(0o600)


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # several processes (web, worker, scheduler) share one SQLite file: wait for locks
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # JIT off: the product's statements are short, and PostgreSQL compiling a dashboard aggregate whose estimated
    # cost passes its threshold took about 190 ms a request, more than the query itself (docs/performance.md, 4)
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "connect_args": {"options": "-c jit=off"}}


def configure_engine(engine: Engine) -> Engine:
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA secure_delete=ON")  # erased personal data is overwritten, not left in free pages
            cursor.close()

    return engine


def make_engine(url: str) -> Engine:
    private_sqlite_file(url)
    return configure_engine(create_engine(url, **engine_options(url)))


def make_session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(make_engine(url), expire_on_commit=False)
