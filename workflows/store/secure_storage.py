"""Erased data leaves the database file too (ADR 0006): SQLite connections run with `PRAGMA secure_delete`
(workflows.store.db), so a deleted or rewritten value is overwritten in its page instead of lingering in
free space; and after the transaction that erased a purged listing commits, the write-ahead log, which
still holds the pages as they were, is checkpointed into the file and truncated. PostgreSQL keeps dead
row versions until VACUUM reclaims them (autovacuum); that is the operators' concern (docs/security.md)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session


def forget_after_commit(session: Session) -> None:
    """Once this session's transaction commits, truncate SQLite's write-ahead log (nothing on PostgreSQL)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    event.listen(session, "after_commit", _checkpoint, once=True)


def _checkpoint(session: Session) -> None:
    with session.get_bind().connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
