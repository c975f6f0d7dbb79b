"""After a listing made in error is purged: the subject's data from that entry erased wherever it was copied.

The entry row itself becomes a tombstone (ListEntry._purge_personal_data), and so do the entries that
followed from it (the key-attention entry after a blacklist exit); the persons named in them (落实到人) are
unlinked, and deleted when nothing else is on record about them. Their data also travelled: into the
objection case (grounds, contacts), its history, outbox events, notifications and the e-mails kept in them,
platform and webhook payloads, evidence files; into the listing's own events, which carry no case (the
departments' "apply measure" notices and webhook messages, the subject's listing notice, the expiry's
key-attention warning: found by their dedupe key's event); into the written decisions; into the
red-list removals the listing triggered; and into the credit-status queries made while it was listed. Every
row linked to the entries, their cases or those events is found through the schema itself (any `case_id`,
`list_entry_id` or `event_id` column), so a table added later is covered without a change here. History rows
are redacted through services.audit, which keeps the hash chain verifiable (ADR 0006). A correction
announcement is left as published: its purpose is to restore the subject's reputation (a person by surname).
The cases no longer point at the subject (staff reading them see no one); the applicant still reads its own
filing, kept for it alone before the erasure with the listing's own texts masked (KeptFiling).
On SQLite, the erased texts are overwritten in the file (`secure_delete`) and the write-ahead log is
checkpointed and truncated after the commit (workflows.store.db).
Each erasure is written to the erasure log (workflows/store/erasure_log.py) once it commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, MetaData, String, Table, Text, delete, func, inspect, or_, select, text, update
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.services.admin import audit
from workflows.store import erasure_log, secure_storage
from workflows.store.automation import Announcement, Notification, OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case, EvidenceFile, KeptFiling
from workflows.store.hub import CreditQuery
from workflows.store.models import HistoryEntry, ListEntry, Measure, ResponsiblePerson, Subject

MASK = "***"
# history: redacted; subject, account, the applicant's kept filing: the subject's own
SKIPPED = {"history", "subjects", "users", "kept_filings", "alembic_version"}
CODED = {"origin"}  # a case's data that is a code of the product, not a text of the subject (who opened it)


def personal_strings(session: Session, entries: list[ListEntry], cases: list[Case]) -> set[str]:
    """What identifies the subject in copies of the entries: its identity, the listing's numbers, the cases' texts."""
    found = set()
    for case in cases:
        subject = case.subject
        if subject is not None:
            found |= {subject.name, subject.code, subject.legal_representative, subject.contact_phone,
                      subject.contact_email, subject.address}
        found |= {str(v) for k, v in (case.data or {}).items() if isinstance(v, str) and k not in CODED}
        found |= {f.original_name for f in case.evidence}
    return {s.strip() for s in found | listing_strings(session, entries) if s and len(s.strip()) >= 2}


def listing_strings(session: Session, entries: list[ListEntry]) -> set[str]:
    """The listing's own texts: its document numbers and bases, as recorded and as corrected."""
    listed = session.scalars(select(HistoryEntry.data).where(
        HistoryEntry.entity_type == "list_entry", HistoryEntry.entity_id.in_([str(e.id) for e in entries]))).all()
    found = {str(d.get(k, "")) for d in listed if d for k in ("document_no", "basis")}  # as listed (the platform's copy)
    found |= {str(v) for d in listed if d for part in ("before", "after")  # a correction's earlier texts
              for k, v in (d.get(part) or {}).items() if k in ("basis", "document_no")}
    for entry in entries:
        found |= {entry.document_no, entry.basis}
        found |= {v for link in entry.responsible_persons if link.person is not None
                  for v in (link.person.name, link.person.code)}
    return {s.strip() for s in found if s and len(s.strip()) >= 2}


def keep_own_filings(session: Session, entries: list[ListEntry], cases: list[Case]) -> None:
    """Before the erasure: what each applicant filed on these cases (its grounds, contacts, the names of its own
    files), with the listing's own texts masked, kept for that applicant alone (KeptFiling). Kept once: an
    erasure done again (after a restore) finds the case's data masked already and keeps the first copy."""
    texts = sorted(listing_strings(session, entries), key=len, reverse=True)
    for case in cases:
        if case.applicant_id is None or session.scalar(select(KeptFiling.id).where(KeptFiling.case_ref == case.id)):
            continue
        files = [_mask(f.original_name, texts) for f in case.evidence if f.uploaded_by_id == case.applicant_id]
        session.add(KeptFiling(user_id=case.applicant_id, case_ref=case.id, data=_mask(dict(case.data or {}), texts),
                               files=files, kept_at=utcnow()))


def kept_filing(session: Session, case: Case, user_id: int | None) -> KeptFiling | None:
    """The filing kept for this user on this case, if it is that case's applicant."""
    if user_id is None or case.applicant_id != user_id:
        return None
    return session.scalar(select(KeptFiling).where(KeptFiling.case_ref == case.id, KeptFiling.user_id == user_id))


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


def _linked(table: Table, case_ids: list[int], event_ids: list[int], entry_ids: list[int],
            notification_ids: list[int] = ()):
    conditions = []
    if table.name == "cases":
        conditions.append(table.c.id.in_(case_ids))
    if table.name == "outbox":
        conditions.append(table.c.id.in_(event_ids))
    for name, ids in (("case_id", case_ids), ("event_id", event_ids), ("list_entry_id", entry_ids),
                      ("notification_id", list(notification_ids))):
        if name in table.c and ids:
            conditions.append(table.c[name].in_(ids))
    if table.name == "announcements" and conditions:
        return (or_(*conditions)) & (table.c.kind != "correction")
    return or_(*conditions) if conditions else None


_REFLECTED: dict[tuple, MetaData] = {}


def _reflected(session: Session) -> MetaData:
    """Every table of the database as it is (not only the models'), read once per database and schema revision
    in this process: reading forty tables' definitions took most of a purge's time."""
    connection = session.connection()
    revision = tuple(sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())) \
        if inspect(connection).has_table("alembic_version") else ()
    key = (connection.engine.url.render_as_string(hide_password=False), revision)
    if key not in _REFLECTED:
        metadata = MetaData()
        metadata.reflect(bind=connection)
        _REFLECTED[key] = metadata
    return _REFLECTED[key]


def _erase_in_tables(session: Session, needles: list[str], case_ids: list[int], event_ids: list[int],
                     entry_ids: list[int], notification_ids: list[int] = ()) -> int:
    changed = 0
    metadata = _reflected(session)
    for table in metadata.sorted_tables:
        if table.name in SKIPPED:
            continue
        where = _linked(table, case_ids, event_ids, entry_ids, notification_ids)
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


def _event_notices(session: Session, event_ids: list[int]) -> list[int]:
    """The notices of the entries' own events (they carry no case): found by their dedupe key's event prefix;
    their rows and every row that copies them (any `notification_id` column, an SMS) are then erased."""
    found: list[int] = []
    for start in range(0, len(event_ids), 200):
        prefixes = [Notification.dedupe_key.like(f"e{i}:%") for i in event_ids[start:start + 200]]
        found += session.scalars(select(Notification.id).where(or_(*prefixes)))
    return found


def _erase_notices(session: Session, needles: list[str], notification_ids: list[int]) -> int:
    changed = 0
    for start in range(0, len(notification_ids), 500):
        for note in session.scalars(select(Notification).where(
                Notification.id.in_(notification_ids[start:start + 500]))):
            masked = {name: _mask(getattr(note, name), needles) for name in ("subject", "body", "params")}
            masked = {k: v for k, v in masked.items() if _differs(v, getattr(note, k))}
            for name, value in masked.items():
                setattr(note, name, value)
            changed += bool(masked)
    return changed


def _erase_files(session: Session, case_ids: list[int], upload_dir: Path | None) -> None:
    for evidence in session.scalars(select(EvidenceFile).where(EvidenceFile.case_id.in_(case_ids))):
        if upload_dir is not None:
            (upload_dir / evidence.stored_name).unlink(missing_ok=True)
        evidence.original_name = MASK


# the processes of the lists' own events (no case): a listing's fan-out, an expiry, an escalation
LIST_EVENTS = ("listing", "lists")
ENTRY_KEYS = ("list_entry_id", "key_entry_id")


def purged_with(session: Session, entry: ListEntry) -> list[ListEntry]:
    """The entry and the purged entries that followed from it (purged with it by the revoke)."""
    found, frontier = [entry], [entry.id]
    while frontier:
        more = list(session.scalars(select(ListEntry).where(ListEntry.derived_from_id.in_(frontier),
                                                            ListEntry.status == "purged")))
        found += more
        frontier = [e.id for e in more]
    return found


def _entry_events(session: Session, entry_ids: set[int], since) -> list[int]:
    """The lists' own events that name one of the entries in their payload (they have no case)."""
    found = []
    for event_id, payload in session.execute(select(OutboxEvent.id, OutboxEvent.payload).where(
            OutboxEvent.process.in_(LIST_EVENTS), OutboxEvent.case_id.is_(None), OutboxEvent.created_at >= since)):
        payload = payload or {}
        named = {payload.get(k) for k in ENTRY_KEYS} | set(payload.get("list_entry_ids") or [])
        if named & entry_ids:
            found.append(event_id)
    return found


def _caused_cases(session: Session, entry_ids: list[int]) -> list[Case]:
    """The red-list removals the entries triggered: their texts name the wrong listing."""
    return list(session.scalars(select(Case).where(Case.process == "redlist_removal",
                                                   Case.data["cause_entry_id"].as_integer().in_(entry_ids))))


def _erase_queries(session: Session, needles: list[str], subject_ids: set[int], since, until) -> int:
    """The credit-status queries about the subject while it was listed: their stated purposes masked."""
    changed = 0
    for query in session.scalars(select(CreditQuery).where(CreditQuery.subject_id.in_(subject_ids),
                                                           CreditQuery.at >= since, CreditQuery.at <= until)):
        masked = _mask(query.purpose, needles)
        if masked != query.purpose:
            query.purpose, changed = masked, changed + 1
    return changed


def erase_purged_entry(session: Session, entry: ListEntry, actor: Actor, upload_dir: Path | None, *,
                       logged: bool = True) -> int:
    """Erase the subject's data from every copy of a purged entry (and of the entries that followed from it);
    returns the number of rows changed. `logged`: written to the erasure log beside `upload_dir` (not when a
    restore carries a logged one again)."""
    entries = purged_with(session, entry)
    entry_ids = [e.id for e in entries]
    cases = list(session.scalars(select(Case).where(Case.list_entry_id.in_(entry_ids))))
    case_ids = [c.id for c in cases]
    subject_ids = {c.subject_id for c in cases if c.subject_id is not None}
    needles = sorted(personal_strings(session, entries, cases), key=len, reverse=True)
    since = min(e.created_at for e in entries)
    caused = [c.id for c in _caused_cases(session, entry_ids)]
    event_ids = list(session.scalars(select(OutboxEvent.id).where(OutboxEvent.case_id.in_(case_ids)))) if case_ids else []
    event_ids += _entry_events(session, set(entry_ids), since)
    caused_events = list(session.scalars(select(OutboxEvent.id).where(OutboxEvent.case_id.in_(caused)))) if caused else []
    measure_ids = [str(i) for i in session.scalars(select(Measure.id).where(Measure.list_entry_id.in_(entry_ids)))]
    keep_own_filings(session, entries, cases)
    session.flush()
    _erase_files(session, case_ids, upload_dir)
    session.flush()
    changed = 0
    if needles:
        changed += _erase_in_tables(session, needles, case_ids + caused, event_ids + caused_events, entry_ids)
        notices = _event_notices(session, event_ids)
        changed += _erase_in_tables(session, needles, [], [], [], notices) + _erase_notices(session, needles, notices)
        changed += _erase_queries(session, needles, subject_ids, since, utcnow())
    for case in cases:  # a closed case no longer points at the subject: staff reading it see no one (a case
        if case.closed_at is not None:  # still running, e.g. the red-list removal, is detached by its own erasure)
            case.subject_id = None
    history_ids = list(session.scalars(select(HistoryEntry.id).where(or_(
        HistoryEntry.case_id.in_(case_ids),
        (HistoryEntry.entity_type == "list_entry") & HistoryEntry.entity_id.in_([str(i) for i in entry_ids]),
        (HistoryEntry.entity_type == "measure") & HistoryEntry.entity_id.in_(measure_ids),
        (HistoryEntry.entity_type == "case") & HistoryEntry.entity_id.in_([str(i) for i in case_ids])))))
    history_ids += _naming(session, needles, caused)
    _erase_persons(session, entries)
    session.flush()
    session.expire_all()
    secure_storage.forget_after_commit(session)
    redacted = audit.redact(session, sorted(set(history_ids)), actor, "listed_in_error",
                            actor_labels=frozenset(needles))
    if upload_dir is not None and logged:  # kept beside the uploads: a restored backup erases this entry again
        erasure_log.after_commit_append(session, erasure_log.path_for(Path(upload_dir).parent), entry.id, case_ids,
                                        utcnow().isoformat())
    return changed + redacted


def _erase_persons(session: Session, entries: list[ListEntry]) -> None:
    """The persons named in the wrong listings no longer linked to them; a person with nothing else on record (no
    other listing, link, account, case or query) is deleted: it was recorded only because of this listing."""
    persons = []
    for link in session.scalars(select(ResponsiblePerson).where(
            ResponsiblePerson.list_entry_id.in_([e.id for e in entries]), ResponsiblePerson.subject_id.is_not(None))):
        persons.append(link.subject_id)
        link.subject_id, link.purged_at = None, utcnow()
    session.flush()
    if not persons:
        return
    metadata = _reflected(session)
    referring = [column for table in metadata.sorted_tables for column in table.columns
                 if any(fk.column.table.name == "subjects" for fk in column.foreign_keys)]
    for subject_id in dict.fromkeys(persons):
        if not any(session.execute(select(column).where(column == subject_id).limit(1)).first()
                   for column in referring):
            session.execute(delete(Subject.__table__).where(Subject.__table__.c.id == subject_id))


def _naming(session: Session, needles: list[str], case_ids: list[int]) -> list[int]:
    """The history rows of these (other) cases that name the wrong listing: those only are redacted."""
    if not needles or not case_ids:
        return []
    rows = session.execute(select(HistoryEntry.id, HistoryEntry.reason, HistoryEntry.data).where(
        HistoryEntry.case_id.in_(case_ids), HistoryEntry.redacted_at.is_(None)))
    return [row_id for row_id, reason, data in rows
            if any(n in f"{reason} {json.dumps(data, ensure_ascii=False, default=str)}" for n in needles)]


@dataclass(frozen=True)
class PurgeOutcome:
    """What an upheld objection did to a listing made in error, as its applicant reads it on its case."""

    record_deleted: bool
    measures_stopped: int
    announced_at: datetime | None  # the revocation announcement, when the list is public


def purge_outcome(session: Session, case: Case) -> PurgeOutcome | None:
    """The outcome of a case whose listing was purged as made in error; None for any other case."""
    entry = case.list_entry
    if entry is None or entry.status != "purged" or case.process != "objection":
        return None
    stopped = session.scalar(select(func.count()).select_from(Measure).where(
        Measure.list_entry_id == entry.id, Measure.status == "stopped")) or 0
    announced = session.scalar(select(Announcement.published_at).join(OutboxEvent, OutboxEvent.id == Announcement.event_id)
                               .where(OutboxEvent.case_id == case.id).order_by(Announcement.id).limit(1))
    return PurgeOutcome(True, stopped, announced)
