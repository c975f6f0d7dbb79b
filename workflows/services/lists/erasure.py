"""After a listing made in error is purged: the subject's data from that entry erased wherever it was copied.

The entry row itself becomes a tombstone (ListEntry._purge_personal_data). Its data also travelled:
into the objection case (grounds, contacts), its history, outbox events, notifications and the
e-mails kept in them, platform and webhook payloads, evidence files. Every row linked to the entry
or its cases is found through the schema itself (any `case_id`, `list_entry_id` or `event_id`
column), so a table added later is covered without a change here. History rows are redacted
through services.audit, which keeps the hash chain verifiable (ADR 0006). A correction announcement
is left as published: its purpose is to name the subject and restore its reputation. Each erasure is
written to the erasure log (workflows/store/erasure_log.py) once it commits.
"""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import JSON, MetaData, String, Table, Text, or_, select, update
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.services.admin import audit
from workflows.store.automation import OutboxEvent
from workflows.store import erasure_log
from workflows.store.base import utcnow
from workflows.store.cases import Case, EvidenceFile
from workflows.store.models import HistoryEntry, ListEntry, Measure

MASK = "***"
SKIPPED = {"history", "subjects", "users", "alembic_version"}  # history: redacted; subject, account: the subject's own


def personal_strings(session: Session, entry: ListEntry, cases: list[Case]) -> set[str]:
    """What identifies the subject in copies of the entry: its identity, the listing's numbers, the cases' texts."""
    found = set()
    for case in cases:
        subject = case.subject
        if subject is not None:
            found |= {subject.name, subject.code, subject.legal_representative, subject.contact_phone,
                      subject.contact_email, subject.address}
        found |= {str(v) for v in (case.data or {}).values() if isinstance(v, str)}
        found |= {f.original_name for f in case.evidence}
    listed = session.scalars(select(HistoryEntry.data).where(
        HistoryEntry.entity_type == "list_entry", HistoryEntry.entity_id == str(entry.id))).all()
    found |= {str(d.get("document_no", "")) for d in listed if d}
    found |= {entry.document_no, entry.basis}
    return {s.strip() for s in found if s and len(s.strip()) >= 2}


def _mask(value, needles: list[str]):
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, MASK)
        return value
    if isinstance(value, dict):
        return {k: _mask(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, needles) for v in value]
    return value


def _linked(table: Table, case_ids: list[int], event_ids: list[int], entry_id: int):
    conditions = []
    if table.name == "cases":
        conditions.append(table.c.id.in_(case_ids))
    if table.name == "outbox":
        conditions.append(table.c.id.in_(event_ids))
    for name, ids in (("case_id", case_ids), ("event_id", event_ids), ("list_entry_id", [entry_id])):
        if name in table.c and ids:
            conditions.append(table.c[name].in_(ids))
    if table.name == "announcements" and conditions:
        return (or_(*conditions)) & (table.c.kind != "correction")
    return or_(*conditions) if conditions else None


def _erase_in_tables(session: Session, needles: list[str], case_ids: list[int], event_ids: list[int],
                     entry_id: int) -> int:
    changed = 0
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    for table in metadata.sorted_tables:
        if table.name in SKIPPED:
            continue
        where = _linked(table, case_ids, event_ids, entry_id)
        texts = [c for c in table.columns if isinstance(c.type, String | Text | JSON) and not c.primary_key]
        if where is None or not texts or not table.primary_key.columns:
            continue
        keys = list(table.primary_key.columns)
        for row in session.execute(select(*keys, *texts).where(where)).mappings():
            values = {c.name: _mask(row[c.name], needles) for c in texts}
            values = {k: v for k, v in values.items() if _differs(v, row[k])}
            if values:
                session.execute(update(table).where(*(k == row[k.name] for k in keys)).values(**values))
                changed += 1
    return changed


def _differs(new, old) -> bool:
    return json.dumps(new, sort_keys=True, default=str) != json.dumps(old, sort_keys=True, default=str)


def _erase_files(session: Session, case_ids: list[int], upload_dir: Path | None) -> None:
    for evidence in session.scalars(select(EvidenceFile).where(EvidenceFile.case_id.in_(case_ids))):
        if upload_dir is not None:
            (upload_dir / evidence.stored_name).unlink(missing_ok=True)
        evidence.original_name = MASK


def erase_purged_entry(session: Session, entry: ListEntry, actor: Actor, upload_dir: Path | None, *,
                       logged: bool = True) -> int:
    """Erase the subject's data from every copy of a purged entry; returns the number of rows changed.
    `logged`: written to the erasure log beside `upload_dir` (not when a restore carries a logged one again)."""
    cases = list(session.scalars(select(Case).where(Case.list_entry_id == entry.id)))
    case_ids = [c.id for c in cases]
    needles = sorted(personal_strings(session, entry, cases), key=len, reverse=True)
    event_ids = list(session.scalars(select(OutboxEvent.id).where(OutboxEvent.case_id.in_(case_ids)))) if case_ids else []
    measure_ids = [str(i) for i in session.scalars(select(Measure.id).where(Measure.list_entry_id == entry.id))]
    session.flush()
    _erase_files(session, case_ids, upload_dir)
    session.flush()
    changed = _erase_in_tables(session, needles, case_ids, event_ids, entry.id) if needles else 0
    history_ids = list(session.scalars(select(HistoryEntry.id).where(or_(
        HistoryEntry.case_id.in_(case_ids),
        (HistoryEntry.entity_type == "list_entry") & (HistoryEntry.entity_id == str(entry.id)),
        (HistoryEntry.entity_type == "measure") & HistoryEntry.entity_id.in_(measure_ids),
        (HistoryEntry.entity_type == "case") & HistoryEntry.entity_id.in_([str(i) for i in case_ids])))))
    session.expire_all()
    redacted = audit.redact(session, history_ids, actor, "listed_in_error", actor_labels=frozenset(needles))
    if upload_dir is not None and logged:  # kept beside the uploads: a restored backup erases this entry again
        erasure_log.after_commit_append(session, erasure_log.path_for(Path(upload_dir).parent), entry.id, case_ids,
                                        utcnow().isoformat())
    return changed + redacted
