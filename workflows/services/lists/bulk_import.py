"""Recording listings in bulk from a CSV or XLSX file: every row validated first, then all or none.

A problem is reported as (row, column, message), the row numbered as a spreadsheet shows it
(the header is row 1). Only when no row has a problem are the listings recorded, in the caller's
one transaction, by set-based inserts (subjects, entries, measures, history): the same rows
services.listings.record_listing writes one by one, with listings.after_listing run per entry and
one outbox event for the whole file, which the listing flow fans out per implementing department.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, DomainError, InvalidInput, fill
from workflows.domain.lists import EntryStatus, Validity, check_measure_fits_list, check_record_day, parse_list_kind
from workflows.domain.process import Actor
from workflows.domain.subjects import parse_subject_code, single_line_name
from workflows.services.admin import settings as settings_service
from workflows.services.lists import responsible_persons
from workflows.services.lists.listings import ListingRequest, after_listing, emit_listed, needing_after_listing
from workflows.services.lists.subjects import LISTED, name_subject
from workflows.store import audit_chain
from workflows.store.base import utcnow
from workflows.store.models import Department, HistoryEntry, ListEntry, Measure, MeasureCatalogueItem, Subject

COLUMNS = ("subject_code", "subject_name", "list", "basis", "document_no", "listed_on", "valid_until", "measures")
OPTIONAL = ("category", "published_channel", "department", "legal_representative_code", "legal_representative_name",
            "responsible_persons")  # the last: "ID number name; ID number name" (落实到人)
MAX_ROWS = 50_000
# limits on what an XLSX may unpack to: 50,000 rows of listings stay far below them
XLSX_MAX_UNPACKED = 200 * 2**20
XLSX_MAX_RATIO = 200
XLSX_MAX_MEMBERS = 1_000


@dataclass(frozen=True)
class Problem:
    """What is wrong at a row and column: a message id and its values, as a domain error carries them."""

    row: int
    column: str
    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, row: int, column: str, error: DomainError) -> "Problem":
        return cls(row, column, error.msgid, error.params, error.labels)

    @property
    def message(self) -> str:
        return fill(self.msgid, self.params)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(InvalidInput):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(N_("%(count)s problem(s) in the file; nothing was recorded"), field="file",
                         details={"problems": [p.as_dict() for p in problems]}, count=len(problems))
        self.problems = problems


@lru_cache(maxsize=65_536)
def _parse_code(raw: str):
    """Validation and recording both need a row's parsed code: the check-character arithmetic once."""
    return parse_subject_code(raw)


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows as dicts of text, from CSV (UTF-8 or GB18030) or XLSX."""
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        return _read_xlsx(content)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([Problem(1, "file", N_("not UTF-8 or GB18030 text"))])
    reader = csv.DictReader(io.StringIO(text))
    _check_header(reader.fieldnames or [])
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _check_archive(content: bytes) -> None:
    """An XLSX is a ZIP: measure what it would unpack to before openpyxl opens it (zip bombs)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportRejected([Problem(1, "file", N_("not a readable XLSX workbook"))]) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportRejected([Problem(1, "file", N_("the workbook holds more than %(count)s parts"),
                                      {"count": XLSX_MAX_MEMBERS})])
    unpacked = sum(m.file_size for m in members)
    if unpacked > XLSX_MAX_UNPACKED:
        raise ImportRejected([Problem(1, "file", N_("the workbook would unpack to %(mb)s MB; at most %(max)s MB are "
                                                    "accepted"),
                                      {"mb": unpacked // 2**20, "max": XLSX_MAX_UNPACKED // 2**20})])
    for member in members:
        if member.file_size > 2**20 and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
            raise ImportRejected([Problem(1, "file", N_("'%(name)s' in the workbook is compressed more than %(ratio)s "
                                                        "to 1: refused as a zip bomb"),
                                          {"name": member.filename[:80], "ratio": XLSX_MAX_RATIO})])


def _read_xlsx(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    _check_archive(content)
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem to the user
        raise ImportRejected([Problem(1, "file", N_("not a readable XLSX workbook"))]) from None
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    _check_header(header)
    return [{name: _cell(value) for name, value in zip(header, row) if name} for row in rows
            if any(value not in (None, "") for value in row)]


def _cell(value) -> str:
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return "" if value is None else str(value).strip()


def _check_header(header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in {h.strip() for h in header}]
    if missing:
        raise ImportRejected([Problem(1, c, N_("column missing from the header")) for c in missing])


def _date(row: dict, column: str, number: int, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(row.get(column, "").replace("/", "-"))
    except ValueError:
        problems.append(Problem(number, column, N_("'%(value)s' is not a date (YYYY-MM-DD)"),
                                {"value": row.get(column, "")}))
        return None


def validate(session: Session, rows: list[dict[str, str]], *, department_code: str | None, today: date
             ) -> tuple[list[ListingRequest], list[Problem]]:
    if len(rows) > MAX_ROWS:
        return [], [Problem(1, "file", N_("more than %(count)s rows"), {"count": MAX_ROWS})]
    catalogue = {m.code: m for m in session.scalars(select(MeasureCatalogueItem).where(MeasureCatalogueItem.active))}
    departments = {d.code for d in session.scalars(select(Department))}
    earliest_year = settings_service.get(session, "records.earliest_year")
    open_entries = set(session.execute(
        select(Subject.code, ListEntry.list_kind).join(ListEntry, ListEntry.subject_id == Subject.id)
        .where(ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value]))).all())
    requests, problems, seen = [], [], {}
    for number, row in enumerate(rows, start=2):
        before = len(problems)
        code = kind = None
        try:
            code = _parse_code(row.get("subject_code", "")).value
        except DomainError as error:
            problems.append(Problem.of(number, "subject_code", error))
        try:
            single_line_name(row.get("subject_name"), field="subject_name")
        except DomainError as error:
            problems.append(Problem.of(number, "subject_name", error))
        try:
            kind = parse_list_kind(row.get("list", ""))
        except DomainError as error:
            problems.append(Problem.of(number, "list", error))
        if not row.get("basis"):
            problems.append(Problem(number, "basis", N_("the legal basis is required")))
        listed_on = _date(row, "listed_on", number, problems)
        valid_until = _date(row, "valid_until", number, problems)
        if listed_on:
            try:
                check_record_day(listed_on, "listed_on", earliest_year)
            except DomainError as error:
                problems.append(Problem.of(number, "listed_on", error))
        if listed_on and valid_until:
            try:
                Validity(listed_on, valid_until)
            except DomainError as error:
                problems.append(Problem.of(number, "valid_until", error))
            if valid_until < today:
                problems.append(Problem(number, "valid_until", N_("%(day)s is in the past"), {"day": str(valid_until)}))
        department = row.get("department") or department_code or ""
        if department not in departments:
            problems.append(Problem(number, "department", N_("no department with code '%(code)s'"),
                                    {"code": department}))
        codes = [c.strip() for c in row.get("measures", "").replace("；", ";").split(";") if c.strip()]
        for measure in codes:
            item = catalogue.get(measure)
            if item is None:
                problems.append(Problem(number, "measures", N_("unknown measure '%(code)s'"), {"code": measure}))
            elif kind is not None:
                try:
                    check_measure_fits_list(item.effect, kind)
                except DomainError as error:
                    problems.append(Problem.of(number, "measures", error))
        if code and kind:
            if (code, kind.value) in seen:
                problems.append(Problem(number, "subject_code", N_("duplicate of row %(row)s"),
                                        {"row": seen[(code, kind.value)]}))
            elif (code, kind.value) in open_entries:
                problems.append(Problem(number, "subject_code", N_("already has an open %(list)s list entry"),
                                        {"list": kind.value}, {"list": "list"}))
            seen.setdefault((code, kind.value), number)
        persons = _persons(row, number, code, kind, problems)
        if len(problems) == before:
            requests.append(ListingRequest(code, row["subject_name"], kind.value, department, row["basis"],
                                           row.get("document_no", ""), listed_on, valid_until, codes,
                                           row.get("category", ""), row.get("published_channel", ""), persons))
    return requests, problems


def _persons(row: dict, number: int, code: str | None, kind, problems: list[Problem]
             ) -> list[responsible_persons.NamedPerson]:
    """A row's legal representative and directly responsible persons, checked as a single listing checks them."""
    legal = (row.get("legal_representative_code", ""), row.get("legal_representative_name", ""))
    named = responsible_persons.from_lines(*legal, row.get("responsible_persons", "").replace("；", ";")
                                           .replace(";", "\n"))
    if not named or code is None or kind is None:
        return []
    try:
        return responsible_persons.check(named, kind.value, code)
    except DomainError as error:
        first = any(legal) and (error.details or {}).get("index") == 1
        problems.append(Problem.of(number, "legal_representative_code" if first else "responsible_persons", error))
        return []


def import_listings(session: Session, filename: str, content: bytes, actor: Actor, *, department_code: str | None,
                    today: date, now: datetime | None = None, tell: bool = True) -> list[ListEntry]:
    """Validate every row, then record all of them, or raise ImportRejected and record none."""
    rows = read_rows(filename, content)
    if not rows:
        raise ImportRejected([Problem(2, "file", N_("the file has no rows"))])
    requests, problems = validate(session, rows, department_code=department_code, today=today)
    if problems:
        raise ImportRejected(problems)
    return record_all(session, requests, actor, now=now or utcnow(), tell=tell)


CHUNK = 500  # rows per multi-row INSERT and per IN (...) list: well under every driver's parameter limit


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def record_all(session: Session, requests: list[ListingRequest], actor: Actor, *, now: datetime,
               tell: bool = True) -> list[ListEntry]:
    """Set-based recording of validated listings: a handful of statements per 500 rows, not per row."""
    session.flush()
    subject_ids = _subject_ids(session, requests, now)
    departments = dict(session.execute(select(Department.code, Department.id)).all())
    catalogue = {m.code: m for m in session.scalars(select(MeasureCatalogueItem))}
    entry_ids: list[int] = []
    for chunk in _chunks(requests):
        rows = [{"subject_id": subject_ids[r.subject_code], "list_kind": r.list_kind, "status": "active",
                 "department_id": departments[r.department_code], "category": r.category, "basis": r.basis.strip(),
                 "document_no": r.document_no.strip(),
                 "published_channel": r.published_channel if r.list_kind != "key_attention" else "",
                 "listed_on": r.listed_on, "valid_until": r.valid_until, "created_at": now, "version": 1}
                for r in chunk]
        ids = session.execute(insert(ListEntry.__table__).returning(ListEntry.__table__.c.id,
                                                                    sort_by_parameter_order=True), rows).scalars().all()
        entry_ids += ids
        _history(session, actor, now, [
            {"action": "list", "entity_type": "list_entry", "entity_id": str(i), "to_state": "active",
             "data": {"list": r.list_kind, "document_no": r.document_no.strip()}} for i, r in zip(ids, chunk)])
        _measures(session, actor, now, [(i, catalogue[code]) for i, r in zip(ids, chunk)
                                        for code in dict.fromkeys(r.measure_codes)])
    entries = []
    for chunk in _chunks(entry_ids):
        entries += session.scalars(select(ListEntry).where(ListEntry.id.in_(chunk)).order_by(ListEntry.id)).all()
    by_id = {e.id: e for e in entries}
    for entry_id, request in zip(entry_ids, requests):  # the few rows that name persons, one by one
        if request.responsible_persons:
            responsible_persons.record(session, by_id[entry_id], request.responsible_persons, actor, now)
    for entry in needing_after_listing(session, entries):  # the per-entry hooks, as record_listing runs them
        after_listing(session, entry, actor, now)
    if tell and entry_ids:
        emit_listed(session, entry_ids, now)
    return entries


def _subject_ids(session: Session, requests: list[ListingRequest], now: datetime) -> dict[str, int]:
    names = {r.subject_code: r.subject_name.strip() for r in requests}
    ids: dict[str, int] = {}
    for chunk in _chunks(list(names)):
        ids.update(session.execute(select(Subject.code, Subject.id).where(Subject.code.in_(chunk))).all())
        # a name an applicant declared gives way to the listing department's (subjects.name_subject)
        for subject in session.scalars(select(Subject).where(Subject.code.in_(chunk), Subject.name_source != LISTED)):
            name_subject(subject, names[subject.code], LISTED)
    new = [{"code": code, "kind": _parse_code(code).kind.value, "name": names[code], "name_source": LISTED,
            "legal_representative": "",
            "contact_phone": "", "contact_email": "", "address": "", "created_at": now}
           for code in names if code not in ids]
    for chunk in _chunks(new):
        rows = session.execute(insert(Subject.__table__).returning(Subject.__table__.c.code, Subject.__table__.c.id),
                               chunk).all()
        ids.update((code, id_) for code, id_ in rows)
    return ids


def _measures(session: Session, actor: Actor, now: datetime, pairs: list[tuple[int, MeasureCatalogueItem]]) -> None:
    if not pairs:
        return
    table = Measure.__table__
    rows = [{"list_entry_id": entry_id, "catalogue_id": item.id, "department_id": item.department_id,
             "status": "active", "updated_at": now} for entry_id, item in pairs]
    ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    _history(session, actor, now, [
        {"action": "apply_measure", "entity_type": "measure", "entity_id": str(i), "to_state": "active",
         "data": {"list_entry_id": entry_id, "measure": item.code}} for i, (entry_id, item) in zip(ids, pairs)])


def _history(session: Session, actor: Actor, now: datetime, rows: list[dict]) -> None:
    base = {"at": now, "actor_user_id": actor.user_id, "actor_label": actor.label, "case_id": None,
            "from_state": None, "reason": ""}
    # chained like every history row (ADR 0006): the same hashes the ORM's flush hook computes
    session.execute(insert(HistoryEntry.__table__), audit_chain.chained(session, [{**base, **row} for row in rows]))
