"""The history as a hash chain: each row's hash covers its content and its predecessor's hash.

The personal data a row may hold (`actor_label`, `reason`, `data`) enter the hash only through their digest,
so erasing them after a purge (history redaction) leaves the chain verifiable (ADR 0006).
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from workflows import clock

from .models import HistoryEntry

GENESIS = "0" * 64
CHAINED = ("at", "actor_user_id", "action", "entity_type", "entity_id", "case_id", "from_state", "to_state")
# one key for pg_advisory_xact_lock: every writer of the history queues on it while it extends the chain
CHAIN_LOCK_KEY = 0x6869_7374  # "hist"


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


def lock_chain(session: Session) -> None:
    """Serialise writers of the history until the end of the transaction."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    else:
        # a write that changes nothing takes SQLite's write lock before the tail is read
        connection.execute(text("DELETE FROM history WHERE 0 = 1"))


def chain_tail(session: Session) -> str:
    last = session.connection().execute(
        select(HistoryEntry.row_hash).order_by(HistoryEntry.id.desc()).limit(1)).scalar()
    return last or GENESIS


@event.listens_for(Session, "before_flush")
def _chain_new_history(session: Session, _context, _instances) -> None:
    new = sorted((o for o in session.new if isinstance(o, HistoryEntry)), key=lambda o: inspect(o).insert_order)
    if not new:
        return
    lock_chain(session)
    previous = chain_tail(session)
    for entry in new:
        entry.at = entry.at or clock.now()
        entry.reason = entry.reason or ""
        entry.data = entry.data or {}
        entry.actor_label = entry.actor_label or ""
        entry.personal_digest = personal_digest(entry.reason, entry.data, entry.actor_label)
        entry.prev_hash = previous
        entry.row_hash = previous = row_hash(entry, entry.personal_digest, previous)


def chained(session: Session, rows: list[dict]) -> list[dict]:
    """For a Core bulk insert of history rows: the hashes the flush hook would give, in the order given.

    Insert the result in one statement, in this order, in the same transaction (the lock is held)."""
    session.flush()
    lock_chain(session)
    previous = chain_tail(session)
    out = []
    for row in rows:
        row = {**row, "reason": row.get("reason") or "", "data": row.get("data") or {},
               "actor_label": row.get("actor_label") or ""}
        row["personal_digest"] = personal_digest(row["reason"], row["data"], row["actor_label"])
        row["prev_hash"] = previous
        fields = SimpleNamespace(**{name: row.get(name) for name in CHAINED})
        row["row_hash"] = previous = row_hash(fields, row["personal_digest"], previous)
        out.append(row)
    return out
