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


def event(case: Case, kind: str, now: datetime, **payload) -> dict:
    """An event's row: what `emit` inserts, or `case_rows.write` with the case's history row."""
    # available at once in real time, even when `now` is a controlled clock ahead of it
    return {"process": case.process, "kind": kind, "case_id": case.id, "payload": payload, "status": "pending",
            "attempts": 0, "available_at": min(now, utcnow()), "created_at": now, "last_error": ""}


def emit(session: Session, case: Case, kind: str, now: datetime, **payload) -> None:
    session.connection().execute(_INSERT, event(case, kind, now, **payload))
