"""Writing outbox events: in the caller's transaction, so an event exists iff its change does."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case

# one INSERT, built once, at once: no object for the session to flush (nothing in the transaction reads it back)
_INSERT = insert(OutboxEvent.__table__)


COLUMNS = ("process", "kind", "case_id", "payload", "status", "attempts", "available_at", "created_at", "last_error")


def event(case: Case, kind: str, now: datetime, **payload) -> dict:
    """An event's row (its COLUMNS): what `emit` inserts, or `history.write` with the case's history row."""
    # available at once in real time, even when `now` is a controlled clock ahead of it
    return {"process": case.process, "kind": kind, "case_id": case.id, "payload": payload, "status": "pending",
            "attempts": 0, "available_at": min(now, utcnow()), "created_at": now, "last_error": ""}


def emit(session: Session, case: Case, kind: str, now: datetime, **payload) -> None:
    insert_event(session.connection(), event(case, kind, now, **payload))


def insert_event(connection, row: dict) -> None:
    connection.execute(_INSERT, row)
