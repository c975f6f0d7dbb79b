"""Appending to the history: every change says who, when, what and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.store.base import utcnow
from workflows.store.models import HistoryEntry


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    case_id: int | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> HistoryEntry:
    entry = HistoryEntry(
        at=at or utcnow(),
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        case_id=case_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason or "",
        data=data or {},
    )
    session.add(entry)
    return entry
