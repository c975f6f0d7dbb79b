"""A case's history as people read it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.store.models import HistoryEntry


def case_history(session: Session, case_id: int) -> list[dict]:
    rows = session.scalars(select(HistoryEntry).where(HistoryEntry.case_id == case_id).order_by(HistoryEntry.id))
    return [{"at": r.at, "actor": r.actor_label, "action": r.action, "from_": r.from_state, "to": r.to_state,
             "reason": r.reason} for r in rows]
