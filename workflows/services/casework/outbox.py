"""Writing outbox events: in the caller's transaction, so an event exists iff its change does."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case


def emit(session: Session, case: Case, kind: str, now: datetime, **payload) -> OutboxEvent:
    # available at once in real time, even when `now` is a controlled clock ahead of it
    event = OutboxEvent(process=case.process, kind=kind, case_id=case.id, payload=payload,
                        available_at=min(now, utcnow()), created_at=now)
    session.add(event)
    return event
