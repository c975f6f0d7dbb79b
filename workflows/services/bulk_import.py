"""Recording listings in bulk from a CSV or XLSX file: every row validated first, then all or none.

A problem is reported as (row, column, message), the row numbered as a spreadsheet shows it
(the header is row 1). Only when no row has a problem are the listings recorded, each through
services.listings.record_listing, in the caller's one transaction.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.errors import DomainError, InvalidInput
from workflows.domain.lists import EntryStatus, Validity, check_measure_fits_list, parse_list_kind
from workflows.domain.process import Actor
from workflows.domain.subjects import parse_subject_code
from workflows.store.models import Department, ListEntry, MeasureCatalogueItem, Subject

from .listings import ListingRequest, record_listing

COLUMNS = ("subject_code", "subject_name", "list", "basis", "document_no", "listed_on", "valid_until", "measures")
OPTIONAL = ("category", "published_channel", "department")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(InvalidInput):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was recorded", field="file",
                         details={"problems": [p.as_dict() for p in problems]})
        self.problems = problems


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
        raise ImportRejected([Problem(1, "file", "not UTF-8 or GB18030 text")])
    reader = csv.DictReader(io.StringIO(text))
    _check_header(reader.fieldnames or [])
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _read_xlsx(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem to the user
        raise ImportRejected([Problem(1, "file", "not a readable XLSX workbook")]) from None
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
        raise ImportRejected([Problem(1, c, "column missing from the header") for c in missing])


def _date(row: dict, column: str, number: int, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(row.get(column, "").replace("/", "-"))
    except ValueError:
        problems.append(Problem(number, column, f"'{row.get(column, '')}' is not a date (YYYY-MM-DD)"))
        return None


def validate(session: Session, rows: list[dict[str, str]], *, department_code: str | None, today: date
             ) -> tuple[list[ListingRequest], list[Problem]]:
    if len(rows) > MAX_ROWS:
        return [], [Problem(1, "file", f"more than {MAX_ROWS} rows")]
    catalogue = {m.code: m for m in session.scalars(select(MeasureCatalogueItem).where(MeasureCatalogueItem.active))}
    departments = {d.code for d in session.scalars(select(Department))}
    open_entries = set(session.execute(
        select(Subject.code, ListEntry.list_kind).join(ListEntry, ListEntry.subject_id == Subject.id)
        .where(ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value]))).all())
    requests, problems, seen = [], [], {}
    for number, row in enumerate(rows, start=2):
        before = len(problems)
        code = kind = None
        try:
            code = parse_subject_code(row.get("subject_code", "")).value
        except DomainError as error:
            problems.append(Problem(number, "subject_code", error.message))
        if not row.get("subject_name"):
            problems.append(Problem(number, "subject_name", "a name is required"))
        try:
            kind = parse_list_kind(row.get("list", ""))
        except DomainError as error:
            problems.append(Problem(number, "list", error.message))
        if not row.get("basis"):
            problems.append(Problem(number, "basis", "the legal basis is required"))
        listed_on = _date(row, "listed_on", number, problems)
        valid_until = _date(row, "valid_until", number, problems)
        if listed_on and valid_until:
            try:
                Validity(listed_on, valid_until)
            except DomainError as error:
                problems.append(Problem(number, "valid_until", error.message))
            if valid_until < today:
                problems.append(Problem(number, "valid_until", f"{valid_until} is in the past"))
        department = row.get("department") or department_code or ""
        if department not in departments:
            problems.append(Problem(number, "department", f"no department with code '{department}'"))
        codes = [c.strip() for c in row.get("measures", "").replace("；", ";").split(";") if c.strip()]
        for measure in codes:
            item = catalogue.get(measure)
            if item is None:
                problems.append(Problem(number, "measures", f"unknown measure '{measure}'"))
            elif kind is not None:
                try:
                    check_measure_fits_list(item.effect, kind)
                except DomainError as error:
                    problems.append(Problem(number, "measures", error.message))
        if code and kind:
            if (code, kind.value) in seen:
                problems.append(Problem(number, "subject_code", f"duplicate of row {seen[(code, kind.value)]}"))
            elif (code, kind.value) in open_entries:
                problems.append(Problem(number, "subject_code", f"already has an open {kind.value} list entry"))
            seen.setdefault((code, kind.value), number)
        if len(problems) == before:
            requests.append(ListingRequest(code, row["subject_name"], kind.value, department, row["basis"],
                                           row.get("document_no", ""), listed_on, valid_until, codes,
                                           row.get("category", ""), row.get("published_channel", "")))
    return requests, problems


def import_listings(session: Session, filename: str, content: bytes, actor: Actor, *, department_code: str | None,
                    today: date) -> list[ListEntry]:
    """Validate every row, then record all of them, or raise ImportRejected and record none."""
    rows = read_rows(filename, content)
    if not rows:
        raise ImportRejected([Problem(2, "file", "the file has no rows")])
    requests, problems = validate(session, rows, department_code=department_code, today=today)
    if problems:
        raise ImportRejected(problems)
    return [record_listing(session, request, actor) for request in requests]
