"""Appending to the history: every change says who, when, what and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.store import audit_chain
from workflows.store.base import utcnow
from workflows.store.models import HistoryEntry


def _row(actor: Actor, action: str, entity_type: str, entity_id: object, case_id: int | None,
         from_state: str | None, to_state: str | None, reason: str, data: dict | None, at: datetime | None) -> dict:
    """A history row's own values (its chain and hashes are the audit chain's)."""
    return {"at": at or utcnow(), "actor_user_id": actor.user_id, "actor_label": actor.label, "action": action,
            "entity_type": entity_type, "entity_id": str(entity_id), "case_id": case_id, "from_state": from_state,
            "to_state": to_state, "reason": reason or "", "data": data or {}}


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
    """A row as an object, chained when the session flushes it (audit_chain's flush hook)."""
    entry = HistoryEntry(**_row(actor, action, entity_type, entity_id, case_id, from_state, to_state, reason, data,
                                at))
    session.add(entry)
    return entry


def chained_row(session: Session, *, actor: Actor, action: str, case_id: int, from_state: str | None = None,
                to_state: str | None = None, reason: str = "", data: dict | None = None, at: datetime) -> dict:
    """A case's row as `record` makes it, with its place in the case's chain (the chain's head moves with it in
    this transaction), for `case_rows.write` to insert at once with the case's own rows, by prebuilt statements
    instead of an object for the flush: for the filing and action path, where the flush's bookkeeping was most of
    a transaction's time."""
    row = _row(actor, action, "case", case_id, case_id, from_state, to_state, reason, data, at) | {"redacted_at": None}
    return audit_chain.chained_now(session, row)
