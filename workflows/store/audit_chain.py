"""The history as hash chains: a chain per case, one for the rows of no case, and anchors over their heads.

Each row's hash covers its content and the hash of the row before it in the same chain (ADR 0012): a case's rows
form the case's chain, whose head (the last row's hash) is kept on the case row itself, so that extending it needs
no read of the history and the case row's own lock serialises the writers of that case alone; the rows of no case
form the chain "other", whose head is a row of `history_chains`. `anchor` writes, from time to time (the SLA
sweep), the heads that moved since the anchor before into `history_anchors`, each anchor chained to the one
before, so that removing a case's last rows is found too. The rows written before migration 0015 stay in the one
chain they were written in (`chain` NULL; ADR 0006), its last row anchored by the migration.

The personal data a row may hold (`actor_label`, `reason`, `data`) enter the hash only through their digest,
so erasing them after a purge (history redaction) leaves the chains verifiable (ADR 0006).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, event, inspect, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflows import clock

from . import new_cases
from .base import insert_for
from .cases import UNANCHORED, Case
from .models import HistoryAnchor, HistoryChain, HistoryEntry

GENESIS = "0" * 64
CHAINED = ("at", "actor_user_id", "action", "entity_type", "entity_id", "case_id", "from_state", "to_state")
OTHER = "other"  # the chain of the rows of no case
LEGACY = "legacy"  # in an anchor: the last row of the one chain the rows before migration 0015 were written in
# session.info keys, valid until the transaction ends: the cases whose loaded chain_head is current and whose row
# this transaction holds (locked, or inserted by it), and the head of the chain "other" while this transaction holds it
_FRESH = "audit_chain.fresh_cases"
_OTHER_HEAD = "audit_chain.other_head"
_CASES = Case.__table__
_CHAINS = HistoryChain.__table__


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _instant(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive UTC when read without the column type
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def personal_digest(reason: str | None, data: dict | None, actor_label: str | None = "") -> str:
    return _sha256(canonical({"reason": reason or "", "data": data or {}, "actor": actor_label or ""}))


def row_hash(row, personal: str, previous: str) -> str:
    """`row` is anything with the CHAINED attributes (a model or a result row)."""
    content = {name: getattr(row, name) for name in CHAINED}
    content["at"] = _instant(content["at"])
    return _sha256(canonical({"row": content, "personal": personal, "previous": previous}))


def anchor_hash(at: datetime, heads: dict, previous: str) -> str:
    return _sha256(canonical({"at": _instant(at), "heads": heads, "previous": previous}))


def case_chain(case_id: int) -> str:
    return f"case:{case_id}"


def _postgresql(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def mark_fresh(session: Session, case: Case, head: str | None) -> None:
    """The case's row is held by this transaction (FOR UPDATE, SQLite's write lock) and `head` is its chain's head
    as read under that hold: extending its chain needs no further read."""
    set_committed_value(case, "chain_head", head)
    session.info.setdefault(_FRESH, set()).add(case.id)


def mark_inserted(session: Session, case: Case) -> None:
    """The case's row was inserted by this transaction: held by it, its chain begins here, and what the transaction
    writes of it is kept for its answer (new_cases)."""
    mark_fresh(session, case, None)
    new_cases.created(session, case.id)


def held(session: Session, case_id: int) -> bool:
    """Whether this transaction holds the case's row already (locked by an earlier read, or inserted by it)."""
    return case_id in session.info.get(_FRESH, ())


@event.listens_for(Session, "after_transaction_end")
def _forget_holds(session: Session, transaction) -> None:
    if transaction.parent is None or transaction.nested:
        session.info.pop(_FRESH, None)
        session.info.pop(_OTHER_HEAD, None)
        new_cases.forget(session)  # a savepoint's rows may have been rolled back: read them afterwards


@event.listens_for(Session, "after_flush")
def _new_cases_are_held(session: Session, _context) -> None:
    for obj in session.new:
        if isinstance(obj, Case) and obj.id is not None:
            mark_inserted(session, obj)


def _hold_case_heads(session: Session, case_ids: list[int]) -> dict[int, str | None]:
    """Lock these cases' rows until the transaction ends and read their heads, in one statement."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(select(_CASES.c.id, _CASES.c.chain_head).where(_CASES.c.id.in_(case_ids))
                                  .order_by(_CASES.c.id).with_for_update())
    else:  # a write that changes nothing takes SQLite's write lock, and returns the heads as they are under it
        rows = connection.execute(update(_CASES).where(_CASES.c.id.in_(case_ids))
                                  .values(chain_head=_CASES.c.chain_head).returning(_CASES.c.id, _CASES.c.chain_head))
    return {row.id: row.chain_head for row in rows}


def _hold_other_head(session: Session) -> str:
    if _OTHER_HEAD in session.info:
        return session.info[_OTHER_HEAD]
    insert = insert_for(session.connection().dialect.name)
    statement = (insert(_CHAINS).values(name=OTHER, head=GENESIS)
                 .on_conflict_do_update(index_elements=["name"], set_={"head": _CHAINS.c.head})
                 .returning(_CHAINS.c.head))
    head = session.connection().execute(statement).scalar_one()
    session.info[_OTHER_HEAD] = head
    return head


def extend(session: Session, rows: list) -> None:
    """Give each row (in the order given: a model or a namespace with the CHAINED attributes and personal_digest)
    its chain, prev_hash and row_hash, and move the chains' heads in this transaction."""
    fresh = session.info.setdefault(_FRESH, set())
    loaded: dict[int, Case] = {}
    heads: dict[int, str | None] = {}
    unheld = []
    for case_id in {r.case_id for r in rows if r.case_id is not None}:
        case = session.identity_map.get(inspect(Case).identity_key_from_primary_key((case_id,)))
        if case is not None:
            loaded[case_id] = case
        if case is not None and case_id in fresh and "chain_head" in case.__dict__:
            heads[case_id] = case.chain_head
        else:
            unheld.append(case_id)
    if unheld:
        held = _hold_case_heads(session, sorted(unheld))
        for case_id, head in held.items():
            heads[case_id] = head
            fresh.add(case_id)
            if case_id in loaded:
                set_committed_value(loaded[case_id], "chain_head", head)
    other = _hold_other_head(session) if any(r.case_id not in heads for r in rows) else None
    # a chain begun by a single row: that row's insert writes its case's head (the trigger of migration 0017)
    first_alone = {case_id for case_id, head in heads.items() if head is None}
    first_alone -= {case_id for case_id, n in Counter(r.case_id for r in rows).items() if n > 1}
    moved: dict[int, str] = {}
    for row in rows:
        if row.case_id in heads:
            row.chain = case_chain(row.case_id)
            row.prev_hash = heads[row.case_id] or GENESIS
            row.row_hash = heads[row.case_id] = moved[row.case_id] = row_hash(row, row.personal_digest, row.prev_hash)
            new_cases.wrote(session, row.case_id, new_cases.HISTORY, at=row.at.astimezone(UTC),
                            actor_user_id=row.actor_user_id, actor_label=row.actor_label, action=row.action,
                            from_state=row.from_state, to_state=row.to_state, reason=row.reason)
        else:  # no case, or a case_id naming no case
            row.chain, row.prev_hash = OTHER, other
            row.row_hash = other = row_hash(row, row.personal_digest, other)
    plain = []
    for case_id, head in moved.items():
        case = loaded.get(case_id)
        if case is not None and case in session.dirty and session.is_modified(case, include_collections=False):
            case.chain_head = head  # written by the UPDATE the flush makes anyway (its version check included)
            continue
        if case_id not in first_alone:  # (a chain's single first row writes the head by its insert)
            plain.append({"b_id": case_id, "b_head": head})
        if case is not None:
            set_committed_value(case, "chain_head", head)
    if plain:  # no version bump: a history row of a case does not change the case a person sees
        _write_heads(session.connection(), plain)
    if other is not None and other != session.info[_OTHER_HEAD]:
        session.connection().execute(update(_CHAINS).where(_CHAINS.c.name == OTHER).values(head=other))
        session.info[_OTHER_HEAD] = other


def _write_heads(connection, heads: list[dict], column: str = "chain_head") -> None:
    """cases.<column> = b_head where id = b_id, for each of `heads`."""
    if connection.dialect.name == "postgresql" and len(heads) > 1:  # a batch: one statement, not one a case
        connection.execute(text(f"UPDATE cases SET {column} = v.head FROM unnest(CAST(:ids AS integer[]), "
                                "CAST(:heads AS varchar[])) AS v(id, head) WHERE cases.id = v.id"),
                           {"ids": [h["b_id"] for h in heads], "heads": [h["b_head"] for h in heads]})
        return
    connection.execute(update(_CASES).where(_CASES.c.id == bindparam("b_id")).values({column: bindparam("b_head")}),
                       heads)


def _complete(entry) -> None:
    entry.at = entry.at or clock.now()
    entry.reason = entry.reason or ""
    entry.data = entry.data or {}
    entry.actor_label = entry.actor_label or ""
    entry.personal_digest = personal_digest(entry.reason, entry.data, entry.actor_label)


@event.listens_for(Session, "before_flush")
def _chain_new_history(session: Session, _context, _instances) -> None:
    new = sorted((o for o in session.new if isinstance(o, HistoryEntry)), key=lambda o: inspect(o).insert_order)
    if not new:
        return
    for entry in new:
        _complete(entry)
    extend(session, new)


FIELDS = CHAINED + ("reason", "data", "actor_label", "personal_digest", "chain", "prev_hash", "row_hash")


def chained(session: Session, rows: list[dict]) -> list[dict]:
    """For a Core bulk insert of history rows: the chains and hashes the flush hook would give, in the order given.

    Insert the result in one statement, in this order, in the same transaction (the chains' heads are held)."""
    session.flush()
    return _chained(session, rows)


def chained_now(session: Session, row: dict) -> dict:
    """`chained` for one row inserted at once, without flushing the session's other changes first (an action's
    case row keeps its change for the one UPDATE that also moves its head): only history rows the session holds
    and has not written yet are flushed before, since they come first in their chains."""
    if any(isinstance(o, HistoryEntry) for o in session.new):
        session.flush()
    return _chained(session, [row])[0]


def _chained(session: Session, rows: list[dict]) -> list[dict]:
    namespaces = []
    for row in rows:
        namespace = SimpleNamespace(**{name: row.get(name) for name in FIELDS})
        _complete(namespace)
        namespaces.append(namespace)
    extend(session, namespaces)
    return [{**row, **{name: getattr(n, name) for name in FIELDS}} for row, n in zip(rows, namespaces)]


def anchor(session: Session, at: datetime | None = None, limit: int = 100_000) -> HistoryAnchor | None:
    """Anchor the heads of the chains that moved since the last anchor (None: none moved). In the caller's
    transaction; the cases anchored are locked briefly (their rows' `anchored_head`)."""
    connection = session.connection()
    cases = connection.execute(select(_CASES.c.id, _CASES.c.chain_head).where(_CASES.c.id.in_(
        select(_CASES.c.id).where(text(UNANCHORED)).order_by(_CASES.c.id).limit(limit)))).all()
    others = connection.execute(select(_CHAINS.c.name, _CHAINS.c.head).where(
        (_CHAINS.c.anchored_head.is_(None)) | (_CHAINS.c.anchored_head != _CHAINS.c.head))).all()
    if not cases and not others:
        return None
    # anchors are written one at a time: by the one scheduler holding the sweep lock, and on PostgreSQL the last
    # one is read under a row lock as well
    last = select(HistoryAnchor.anchor_hash).order_by(HistoryAnchor.id.desc()).limit(1)
    previous = connection.execute(last.with_for_update() if _postgresql(session) else last).scalar()
    heads = {case_chain(row.id): row.chain_head for row in cases} | {row.name: row.head for row in others}
    at = at or clock.now()
    record = HistoryAnchor(at=at, heads=heads, prev_hash=previous or GENESIS,
                           anchor_hash=anchor_hash(at, heads, previous or GENESIS))
    session.add(record)
    if cases:
        _write_heads(connection, [{"b_id": row.id, "b_head": row.chain_head} for row in cases], "anchored_head")
    for row in others:
        connection.execute(update(_CHAINS).where(_CHAINS.c.name == row.name).values(anchored_head=row.head))
    session.flush()
    return record

