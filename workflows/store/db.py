"""Engines and sessions outside Flask (worker, scheduler, CLI), with the same settings as the web app."""
from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
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
    # cost passes its threshold took about 190 ms a request, more than the query itself (docs/performance.md, 4).
    # A pooled connection is tested before use only after it sat idle (`_test_after_idle`), not at every checkout
    return {"pool_size": 5, "max_overflow": 10, "connect_args": {"options": "-c jit=off"}}


# A connection back in the pool for longer than this is tested (SELECT 1) before it is handed out again: one a
# database restart, a failover or a firewall's idle timeout broke while nobody used it is replaced, not given to a
# request. One in use the moment its server went away fails its transaction as any would (the web answers 503,
# "nothing was saved", the flows retry the event), and the pool then replaces all its connections at once. Testing
# at every checkout (`pool_pre_ping`) cost every request one more round trip to the database.
IDLE_BEFORE_TEST = 10.0  # seconds


def _test_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _back(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _tested(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_BEFORE_TEST:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as broken:  # the pool throws this connection away and checks out another
            raise exc.DisconnectionError(f"a pooled connection no longer answers: {broken}") from broken


def _described_once():
    """psycopg's cursor, with its `description` (a Column object a column, each built from the result's fields)
    built once per query and result types on a connection instead of at every statement: SQLAlchemy asks for it
    once a statement, and an action's read of its case with its timers, entry and subject has 66 columns (about 4%
    of a web worker's CPU a request, docs/performance.md). A query's text with its result's types gives the same
    columns each time; a statement of several queries (several results) is described afresh. The query is the
    one the driver's cursor keeps as it ran it (`_last_query`, not one of its documented attributes: psycopg is
    pinned, and tests/integration/test_connection_pool.py holds each description against the driver's own)."""
    import psycopg
    from psycopg.pq import ExecStatus

    class DescribedOnce(psycopg.Cursor):
        __slots__ = ()

        @property
        def description(self):
            result, query = self.pgresult, self._last_query  # the query as given to execute(), once it ran
            if result is None or not isinstance(query, str) or result.status != ExecStatus.TUPLES_OK \
                    or len(self._results) != 1:
                return super().description
            # the same text may give other types (a parameter's value chooses its type: 1 is a smallint, 10**10 a
            # bigint), so the columns' types are part of the key: reading them costs a fifteenth of describing them
            key = (query, tuple(map(result.ftype, range(result.nfields))))
            described = self._conn.__dict__.setdefault("described_once", {})
            columns = described.get(key)
            if columns is None:
                if len(described) >= DESCRIBED_QUERIES:
                    described.clear()
                columns = described[key] = super().description
            return columns

    return DescribedOnce


DESCRIBED_QUERIES = 1000  # a connection's described queries kept: the product's statements are far fewer


def configure_engine(engine: Engine) -> Engine:
    if engine.dialect.name == "postgresql":
        _test_after_idle(engine)
    if engine.dialect.driver == "psycopg":
        cursor_factory = _described_once()

        @event.listens_for(engine, "connect")
        def _cursors(dbapi_connection, _record):
            dbapi_connection.cursor_factory = cursor_factory
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
