"""One scheduler sweeps at a time; another, standing by, takes over within a sweep interval when it dies.

PostgreSQL: a session-level advisory lock, held by one connection kept open for it. When the holder dies
the server drops its connection and the lock with it (a killed process at once; a dead machine once the
server's TCP keepalives, set short on that connection, give up on it: about 30 s). SQLite, one machine: an
exclusive `flock` on a file in the instance folder, released by the kernel when the process ends.

The standby asks at every tick of its interval. The sweep itself stays safe to run twice at once (FOR UPDATE
SKIP LOCKED, conditional updates: workflows/automation/sweep.py), so `credit-cases sla sweep` by hand, or a
holder whose lock the server dropped mid-sweep, never fires a timer twice; the lock makes one sweeper the
rule, so that two schedulers do not spend two machines' time on the same work.
"""
from __future__ import annotations

import fcntl
import logging
import os
import socket
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger("credit_cases.scheduler")

ADVISORY_KEY = 0x63635357  # "ccSW": the one lock of the sweep, in every database of the product
# the server notices a silent client (a machine gone) after idle + interval * count seconds
KEEPALIVES = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}


def holder_name() -> str:
    return f"credit-cases-scheduler {socket.gethostname()}:{os.getpid()}"


class SweepLock:
    def __init__(self, database_url: str, instance_path: Path):
        self.url, self.instance_path = database_url, Path(instance_path)
        self.postgres = database_url.startswith("postgresql")
        self._connection = None
        self._file = None
        self.held = False
        self._said_standby = False

    def hold(self) -> bool:
        """True if this process holds the lock now (taking it when free); logs each change of role."""
        was = self.held
        try:
            self.held = self._hold_postgres() if self.postgres else self._hold_file()
        except Exception as error:  # noqa: BLE001 - the database restarting: not holding; ask again next tick
            log.warning("sweep lock: %s", type(error).__name__, extra={"error": type(error).__name__})
            self._drop()
            self.held = False
        if self.held and not was:
            log.info("took the sweep lock: this scheduler sweeps", extra={"outcome": "leader"})
        elif was and not self.held:
            log.warning("lost the sweep lock: standing by", extra={"outcome": "standby"})
        elif not self.held and not self._said_standby:
            log.info("another scheduler holds the sweep lock: standing by", extra={"outcome": "standby"})
        self._said_standby = not self.held
        return self.held

    def _hold_postgres(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True  # the session lives, and its lock with it
            except Exception:  # noqa: BLE001 - the connection is gone, and the lock with it
                self._drop()
        engine = create_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                               connect_args={"application_name": holder_name()[:63], "connect_timeout": 5})
        connection = engine.connect()
        for name, seconds in KEEPALIVES.items():
            connection.execute(text(f"SET {name} = {int(seconds)}"))
        if connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}):
            self._connection = connection
            return True
        connection.close()
        engine.dispose()
        return False

    def _hold_file(self) -> bool:
        if self._file is not None:
            return True
        self.instance_path.mkdir(parents=True, exist_ok=True)
        handle = open(self.instance_path / "scheduler.lock", "a+")  # noqa: SIM115 - held while the process lives
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(holder_name() + "\n")
        handle.flush()
        self._file = handle
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
            self._connection = None

    def release(self) -> None:
        self._drop()
        if self._file is not None:
            self._file.close()
            self._file = None
        self.held = False


def holder(database_url: str) -> str | None:
    """Who holds the sweep lock on PostgreSQL (its application name), or None."""
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        name = connection.scalar(text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :key "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"), {"key": ADVISORY_KEY})
    engine.dispose()
    return name
