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
from workflows.store.cases import Case
from workflows.store.models import HistoryAnchor, HistoryChain, HistoryEntry

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
            return f"OK: {self.rows} history rows, the chain holds (each chain per case too)"
        if not self.broken_id:  # an anchor, or a chain none of whose rows is left
            return f"BROKEN: {self.problem}"
        return f"BROKEN at history row #{self.broken_id}: {self.problem}"


def verify(session: Session, batch: int = 2000) -> Verdict:
    """Walk the history in order, each row against the row before it in its chain (ADR 0012: a chain per case, one
    for the rows of no case, and the rows written before them in one chain of their own); then each chain's
    recorded head against its last row, and the anchors: chained to each other, and every head they anchored
    still in its chain. The first row whose links or content do not match is reported."""
    anchored, broken = _anchored_heads(session)
    if broken is not None:
        return broken
    previous: dict[str | None, str] = {}
    last_row: dict[str | None, int] = {}
    found: set[str | None] = set()
    count, redacted, allowed = 0, [], set()
    rows = session.execute(select(HistoryEntry).order_by(HistoryEntry.id).execution_options(yield_per=batch))
    for entry in rows.scalars():
        count += 1
        problem = _problem(entry, previous.get(entry.chain, audit_chain.GENESIS))
        if problem:
            return Verdict(count, entry.id, problem)
        if entry.redacted_at is not None:
            redacted.append(entry.id)
        if entry.action == REDACTION:
            allowed.update(int(i) for i in (entry.data or {}).get("ids", []))
        previous[entry.chain] = entry.row_hash
        last_row[entry.chain] = entry.id
        key = entry.chain if entry.chain is not None else audit_chain.LEGACY
        if anchored.get(key) == entry.row_hash:
            found.add(key)
    for key, head in _recorded_heads(session):
        if previous.get(key, audit_chain.GENESIS) != head:
            return Verdict(count, last_row.get(key, 0), f"the last row of {_name(key)} is not the one its head "
                           "records (rows were removed from its end, or added after it)")
    for key in anchored:
        if key not in found and not (key == audit_chain.LEGACY and anchored[key] == audit_chain.GENESIS):
            return Verdict(count, last_row.get(None if key == audit_chain.LEGACY else key, 0),
                           f"a row of {_name(key)} that an anchor holds is missing (its last rows were removed)")
    unrecorded = [i for i in redacted if i not in allowed]
    if unrecorded:
        return Verdict(count, unrecorded[0], "redacted, but no redaction entry in the history names it")
    return Verdict(count)


def _name(chain: str | None) -> str:
    if chain is None or chain == audit_chain.LEGACY:
        return "the rows written before the chains per case"
    if chain.startswith("case:"):
        return f"case #{chain[5:]}'s history"
    return "the history of no case"


def _recorded_heads(session: Session):
    for case_id, head in session.execute(select(Case.id, Case.chain_head).where(Case.chain_head.is_not(None))):
        yield audit_chain.case_chain(case_id), head
    yield from session.execute(select(HistoryChain.name, HistoryChain.head)).all()


def _anchored_heads(session: Session) -> tuple[dict[str, str], Verdict | None]:
    """The latest head each anchor holds per chain, once the anchors' own chain is checked."""
    previous, heads = audit_chain.GENESIS, {}
    for anchor in session.scalars(select(HistoryAnchor).order_by(HistoryAnchor.id)):
        if anchor.prev_hash != previous or anchor.anchor_hash != audit_chain.anchor_hash(
                anchor.at, anchor.heads, anchor.prev_hash):
            return {}, Verdict(0, 0, f"the anchor #{anchor.id} of the history's heads was changed or removed")
        heads.update(anchor.heads)
        previous = anchor.anchor_hash
    return heads, None


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
