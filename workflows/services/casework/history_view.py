"""A case's history as people read it."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.domain.roles import STAFF_ROLES
from workflows.store import new_cases
from workflows.store.cases import Case
from workflows.store.models import HistoryEntry

COMPLAINANT = "complainant"  # how a complainant is named to those who may not know who complained
# what a reader is shown of each row, read as plain rows (no objects: a case's answer reads its whole history)
_READ = (select(HistoryEntry.at, HistoryEntry.actor_user_id, HistoryEntry.actor_label, HistoryEntry.action,
                HistoryEntry.from_state, HistoryEntry.to_state, HistoryEntry.reason)
         .where(HistoryEntry.case_id == bindparam("case_id")).order_by(HistoryEntry.id))


def case_history(session: Session, case_id: int, viewer: Actor | None = None) -> list[dict]:
    """The case's history; a complaint's complainant is named only to staff and to the complainant (the subject
    reading its case does not learn who complained)."""
    rows = new_cases.written(session, case_id, new_cases.HISTORY)  # a case this transaction filed: all it has
    if rows is None:
        rows = session.execute(_READ, {"case_id": case_id})
    hidden = _hidden_complainant(session, case_id, viewer)
    return [{"at": r.at, "actor": COMPLAINANT if hidden is not None and r.actor_user_id == hidden else r.actor_label,
             "action": r.action, "from_": r.from_state, "to": r.to_state, "reason": r.reason} for r in rows]


def _hidden_complainant(session: Session, case_id: int, viewer: Actor | None) -> int | None:
    case = session.get(Case, case_id)
    if case is None or (case.data or {}).get("origin") != "complaint" or case.applicant_id is None:
        return None
    if viewer is not None and (viewer.roles & STAFF_ROLES or viewer.user_id == case.applicant_id):
        return None
    return case.applicant_id
