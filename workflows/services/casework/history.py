"""Appending to the history: every change says who, when, what and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.store import audit_chain
from workflows.store.base import utcnow
from workflows.store.models import HistoryEntry

_INSERT = insert(HistoryEntry.__table__)


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


def write(session: Session, *, actor: Actor, action: str, case_id: int, from_state: str | None = None,
          to_state: str | None = None, reason: str = "", data: dict | None = None, at: datetime) -> None:
    """A case's row as `record` makes it, inserted at once in its place in the case's chain (a prebuilt Core
    INSERT) instead of an object for the flush: for the action path, where the flush's bookkeeping was most of a
    transaction's time."""
    row = {"at": at, "actor_user_id": actor.user_id, "actor_label": actor.label, "action": action,
           "entity_type": "case", "entity_id": str(case_id), "case_id": case_id, "from_state": from_state,
           "to_state": to_state, "reason": reason or "", "data": data or {}, "redacted_at": None}
    session.connection().execute(_INSERT, audit_chain.chained_now(session, row))
