"""Engines and sessions outside Flask (worker, scheduler, CLI), with the same settings as the web app."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # several processes (web, worker, scheduler) share one SQLite file: wait for locks
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}


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
    return configure_engine(create_engine(url, **engine_options(url)))


def make_session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(make_engine(url), expire_on_commit=False)
