"""Recording a listing (a subject put on a list) with its measures."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla.calendar import local_date
from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import (EntryStatus, ListKind, Validity, check_measure_fits_list, check_record_day,
                                    parse_list_kind)
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.admin import settings as settings_service
from workflows.services.casework import history
from workflows.services.lists import responsible_persons
from workflows.services.lists.subjects import register_subject
from workflows.services.processes import redlist_removal
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.models import Department, ListEntry, Measure, MeasureCatalogueItem


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
    # an enterprise's blacklisting: its legal representative and directly responsible persons (落实到人)
    responsible_persons: list[responsible_persons.NamedPerson] = field(default_factory=list)


LISTING_PROCESS = "listing"  # the outbox process of a listing's own events (workflows.steps.listing)


def record_listing(session: Session, request: ListingRequest, actor: Actor, *, now: datetime | None = None,
                   tell: bool = False) -> ListEntry:
    """Record one listing with its measures. `tell`: an outbox event has the flow tell each implementing
    department (and its webhook); the demo seed and tests of other features record without telling."""
    now = now or utcnow()
    kind = parse_list_kind(request.list_kind)
    check_record_day(request.listed_on, "listed_on", settings_service.get(session, "records.earliest_year"))
    validity = Validity(request.listed_on, request.valid_until)
    persons = responsible_persons.check(request.responsible_persons, kind.value, request.subject_code)
    if not request.basis.strip():
        raise InvalidInput("the legal basis is required", field="basis")
    department = session.scalar(select(Department).where(Department.code == request.department_code))
    if department is None:
        raise NotFound(N_("no department with code '%(code)s'"), field="department", code=request.department_code)
    catalogue = _catalogue_items(session, request.measure_codes, kind)
    subject = register_subject(session, code=request.subject_code, name=request.subject_name, name_field="subject_name")
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
                   to_state=entry.status, at=now, data={"list": kind.value, "document_no": entry.document_no,
                                                        "basis": entry.basis})  # erased with a purged entry
    for item in catalogue:
        measure = Measure(entry=entry, catalogue=item, department_id=item.department_id, updated_at=now)
        session.add(measure)
        session.flush()
        history.record(session, actor=actor, action="apply_measure", entity_type="measure", entity_id=measure.id,
                       to_state=measure.status, at=now, data={"list_entry_id": entry.id, "measure": item.code})
    responsible_persons.record(session, entry, persons, actor, now)
    after_listing(session, entry, actor, now)
    if tell:
        emit_listed(session, [entry.id], now)
    return entry


def list_for_department(session: Session, request: ListingRequest, actor: Actor, *, now: datetime | None = None
                        ) -> ListEntry:
    """A listing department's own listing (page or API): for its department, valid from now on, and told."""
    now = now or utcnow()
    check_listing_department(actor, request.department_code, session)
    if request.valid_until < local_date(now):
        raise InvalidInput(N_("the validity ends on %(day)s, in the past"), field="valid_until",
                           day=str(request.valid_until))
    return record_listing(session, request, actor, now=now, tell=True)


def check_listing_department(actor: Actor, department_code: str | None, session: Session) -> None:
    """Only a listing department lists, for itself; an administrator may list for any department."""
    if Role.ADMINISTRATOR in actor.roles:
        if not department_code:
            raise InvalidInput("name the listing department the listing is recorded for", field="department")
        return
    if Role.LISTING_DEPARTMENT not in actor.roles or actor.department_id is None:
        raise RoleNotAllowed("only a listing department records listings", field="role")
    own = session.scalar(select(Department.code).where(Department.id == actor.department_id))
    if department_code and department_code != own:
        raise RoleNotAllowed(N_("a listing department lists for itself (%(own)s), not for '%(code)s'"),
                             field="department", own=own, code=department_code)


# what recording an entry does at once, per list, in the listing's transaction (one listing or a bulk import)
ON_LISTING: dict[str, Callable[[Session, ListEntry, Actor, datetime], None]] = {
    ListKind.RED.value: redlist_removal.red_listed,  # refused while punished; its validity timer
    ListKind.BLACK.value: redlist_removal.punished,  # the subject's red-list entries removed
    ListKind.KEY_ATTENTION.value: redlist_removal.punished,
}


def after_listing(session: Session, entry: ListEntry, actor: Actor, now: datetime) -> None:
    """THE place for per-entry effects after a listing is recorded, one listing or a bulk import alike."""
    ON_LISTING[entry.list_kind](session, entry, actor, now)


def needing_after_listing(session: Session, entries: list[ListEntry]) -> list[ListEntry]:
    """The entries of a bulk import for which after_listing can have an effect, found with one query:
    red-list entries, and entries of subjects that have an open red-list entry. A hook added to
    after_listing that acts on other entries must widen this too."""
    subject_ids = {e.subject_id for e in entries if e.list_kind != ListKind.RED.value}
    with_red: set[int] = set()
    ids = sorted(i for i in subject_ids if i is not None)
    for start in range(0, len(ids), 500):
        with_red.update(session.scalars(select(ListEntry.subject_id).where(
            ListEntry.subject_id.in_(ids[start:start + 500]), ListEntry.list_kind == ListKind.RED.value,
            ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value]))))
    return [e for e in entries if e.list_kind == ListKind.RED.value or e.subject_id in with_red]


def emit_listed(session: Session, entry_ids: list[int], now: datetime) -> OutboxEvent:
    """One outbox event for one listing or a whole import; the listing flow fans it out per department."""
    event = OutboxEvent(process=LISTING_PROCESS, kind="listed", case_id=None, payload={"list_entry_ids": entry_ids},
                        available_at=min(now, utcnow()), created_at=now)
    session.add(event)
    return event


def _refuse_duplicate(session: Session, subject_id: int, kind: ListKind) -> None:
    existing = session.scalar(
        select(ListEntry.id).where(
            ListEntry.subject_id == subject_id,
            ListEntry.list_kind == kind.value,
            ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value]),
        )
    )
    if existing is not None:
        raise Conflict(N_("the subject already has an open %(list)s list entry (#%(id)s)"), field="list",
                       labels={"list": "list"}, list=kind.value, id=existing)


def _catalogue_items(session: Session, codes: list[str], kind: ListKind) -> list[MeasureCatalogueItem]:
    items = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        item = session.scalar(select(MeasureCatalogueItem).where(MeasureCatalogueItem.code == code))
        if item is None or not item.active:
            raise InvalidInput(N_("unknown measure '%(code)s'"), field="measures", code=code)
        check_measure_fits_list(item.effect, kind)
        items.append(item)
    return items
