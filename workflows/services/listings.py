"""Recording a listing (a subject put on a list) with its measures."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.errors import Conflict, InvalidInput, NotFound
from workflows.domain.lists import EntryStatus, ListKind, Validity, check_measure_fits_list, parse_list_kind
from workflows.domain.process import Actor
from workflows.store.base import utcnow
from workflows.store.models import Department, ListEntry, Measure, MeasureCatalogueItem

from . import history
from .subjects import register_subject


@dataclass
class ListingRequest:
    subject_code: str
    subject_name: str
    list_kind: str
    department_code: str
    basis: str
    document_no: str
    listed_on: date
    valid_until: date
    measure_codes: list[str] = field(default_factory=list)
    category: str = ""
    published_channel: str = ""


def record_listing(session: Session, request: ListingRequest, actor: Actor, *, now: datetime | None = None) -> ListEntry:
    now = now or utcnow()
    kind = parse_list_kind(request.list_kind)
    validity = Validity(request.listed_on, request.valid_until)
    if not request.basis.strip():
        raise InvalidInput("the legal basis is required", field="basis")
    department = session.scalar(select(Department).where(Department.code == request.department_code))
    if department is None:
        raise NotFound(f"no department with code '{request.department_code}'", field="department")
    catalogue = _catalogue_items(session, request.measure_codes, kind)
    subject = register_subject(session, code=request.subject_code, name=request.subject_name)
    _refuse_duplicate(session, subject.id, kind)
    entry = ListEntry(
        subject=subject, list_kind=kind.value, department=department, category=request.category,
        basis=request.basis.strip(), document_no=request.document_no.strip(),
        published_channel=request.published_channel if kind.is_public else "",
        listed_on=validity.listed_on, valid_until=validity.valid_until,
    )
    session.add(entry)
    session.flush()
    history.record(session, actor=actor, action="list", entity_type="list_entry", entity_id=entry.id,
                   to_state=entry.status, at=now, data={"list": kind.value, "document_no": entry.document_no})
    for item in catalogue:
        measure = Measure(entry=entry, catalogue=item, department_id=item.department_id, updated_at=now)
        session.add(measure)
        session.flush()
        history.record(session, actor=actor, action="apply_measure", entity_type="measure", entity_id=measure.id,
                       to_state=measure.status, at=now, data={"list_entry_id": entry.id, "measure": item.code})
    return entry


def _refuse_duplicate(session: Session, subject_id: int, kind: ListKind) -> None:
    existing = session.scalar(
        select(ListEntry.id).where(
            ListEntry.subject_id == subject_id,
            ListEntry.list_kind == kind.value,
            ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value]),
        )
    )
    if existing is not None:
        raise Conflict(f"the subject already has an open {kind.value} list entry (#{existing})", field="list")


def _catalogue_items(session: Session, codes: list[str], kind: ListKind) -> list[MeasureCatalogueItem]:
    items = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        item = session.scalar(select(MeasureCatalogueItem).where(MeasureCatalogueItem.code == code))
        if item is None or not item.active:
            raise InvalidInput(f"unknown measure '{code}'", field="measures")
        check_measure_fits_list(item.effect, kind)
        items.append(item)
    return items
