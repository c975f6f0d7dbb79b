"""The tamper-evident history: verify the hash chain; redact a purged subject's data without breaking it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.services.casework import history
from workflows.store import audit_chain
from workflows.store.base import utcnow
from workflows.store.models import HistoryEntry

REDACTION = "redact_history"
REDACTED_ACTOR = "***"


@dataclass(frozen=True)
class Verdict:
    rows: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.rows} history rows, the chain holds"
        return f"BROKEN at history row #{self.broken_id}: {self.problem}"


def verify(session: Session, batch: int = 2000) -> Verdict:
    """Walk the chain in order; the first row whose links or content do not match is reported."""
    previous, count, redacted, allowed = audit_chain.GENESIS, 0, [], set()
    rows = session.execute(select(HistoryEntry).order_by(HistoryEntry.id).execution_options(yield_per=batch))
    for entry in rows.scalars():
        count += 1
        problem = _problem(entry, previous)
        if problem:
            return Verdict(count, entry.id, problem)
        if entry.redacted_at is not None:
            redacted.append(entry.id)
        if entry.action == REDACTION:
            allowed.update(int(i) for i in (entry.data or {}).get("ids", []))
        previous = entry.row_hash
    unrecorded = [i for i in redacted if i not in allowed]
    if unrecorded:
        return Verdict(count, unrecorded[0], "redacted, but no redaction entry in the history names it")
    return Verdict(count)


def _problem(entry: HistoryEntry, previous: str) -> str:
    if entry.prev_hash != previous:
        return "its link to the previous row does not match (a row was removed, inserted or changed before it)"
    if entry.redacted_at is None and entry.personal_digest != audit_chain.personal_digest(
            entry.reason, entry.data, entry.actor_label):
        return "its actor, reason or data were changed after it was written"
    if entry.row_hash != audit_chain.row_hash(entry, entry.personal_digest or "", previous):
        return "its content was changed after it was written"
    return ""


def redact(session: Session, entry_ids: list[int], actor: Actor, reason_code: str,
           at: datetime | None = None, actor_labels: frozenset[str] = frozenset()) -> int:
    """Erase reason and data of these rows, and the actor labels given (the subject's own name), keeping
    the chain's digests; the redaction itself is recorded in the history."""
    at = at or utcnow()
    ids = sorted(set(session.scalars(select(HistoryEntry.id).where(
        HistoryEntry.id.in_(entry_ids), HistoryEntry.redacted_at.is_(None))).all()))
    if not ids:
        return 0
    session.flush()
    actor_label = case((HistoryEntry.actor_label.in_(actor_labels), REDACTED_ACTOR), else_=HistoryEntry.actor_label) \
        if actor_labels else HistoryEntry.actor_label
    session.execute(update(HistoryEntry).where(HistoryEntry.id.in_(ids))  # one statement: the trigger allows one redaction
                    .values(reason="", data={}, actor_label=actor_label, redacted_at=at)
                    .execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, HistoryEntry) and obj.id in ids:
            session.expire(obj)
    history.record(session, actor=actor, action=REDACTION, entity_type="history", entity_id=ids[0], at=at,
                   reason=reason_code, data={"ids": ids})
    return len(ids)
