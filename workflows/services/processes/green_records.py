"""What a green-channel case leaves behind: a broken commitment in the credit file, red-list entries queued
for removal, a granted licence on the public list. Each is written once per case (unique keys)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sla import calendar
from workflows.domain.lists import EntryStatus, ListKind
from workflows.domain.process import Actor
from workflows.domain.subjects import SubjectCode, SubjectKind
from workflows.labels import mask_name
from workflows.services.casework import history
from workflows.services.processes.conditional_acceptance import application_of, materials_state
from workflows.services.processes.redlist_removal import take_up_pending
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment, LicencePublication, PendingRedlistRemoval
from workflows.store.models import HistoryEntry, ListEntry

BROKEN_COMMITMENT = "broken_commitment"


def record_broken_commitment(session: Session, case: Case, now: datetime | None = None) -> BrokenCommitment:
    """The case's broken commitment (one per case): the materials still outstanding and the deadline missed."""
    existing = session.scalar(select(BrokenCommitment).where(BrokenCommitment.case_id == case.id))
    if existing is not None:
        return existing
    now = now or utcnow()
    state = materials_state(session, case)
    application = application_of(session, case)
    breach = session.scalar(select(HistoryEntry).where(HistoryEntry.case_id == case.id,
                                                       HistoryEntry.action == "commitment_breached"))
    deadline = (breach.data or {}).get("deadline") if breach is not None else None
    missed = [i for i in state.outstanding()]
    due_on = (datetime.fromisoformat(deadline).date() if deadline
              else min((i.due_on for i in missed if i.due_on), default=calendar.local_date(now)))
    record = BrokenCommitment(subject_id=case.subject_id, case_id=case.id,
                              matter_name=application.matter_name if application else "",
                              missed="；".join(i.line.name for i in missed), due_on=due_on,
                              recorded_on=calendar.local_date(breach.at if breach is not None else now),
                              recorded_at=now)
    session.add(record)
    session.flush()
    return record


def queue_redlist_removal(session: Session, case: Case, actor: Actor) -> list[PendingRedlistRemoval]:
    """Every open red-list entry of the subject waits for red-list removal (the process that consumes these rows)."""
    queued = []
    entries = session.scalars(select(ListEntry).where(
        ListEntry.subject_id == case.subject_id, ListEntry.list_kind == ListKind.RED.value,
        ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value])))
    for entry in entries:
        existing = session.scalar(select(PendingRedlistRemoval).where(PendingRedlistRemoval.list_entry_id == entry.id,
                                                                      PendingRedlistRemoval.case_id == case.id))
        if existing is not None:
            continue
        row = PendingRedlistRemoval(subject_id=case.subject_id, list_entry_id=entry.id, reason=BROKEN_COMMITMENT,
                                    case_id=case.id, queued_at=utcnow())
        session.add(row)
        history.record(session, actor=actor, action="queue_redlist_removal", entity_type="list_entry",
                       entity_id=entry.id, case_id=case.id, reason=BROKEN_COMMITMENT,
                       data={"list_entry_id": entry.id})
        queued.append(row)
        session.flush()
        take_up_pending(session, row, actor)
    session.flush()
    return queued


def pending_redlist_removals(session: Session) -> list[PendingRedlistRemoval]:
    """What the red-list removal process has still to take up, oldest first."""
    query = select(PendingRedlistRemoval).where(PendingRedlistRemoval.consumed_at.is_(None))
    return list(session.scalars(query.order_by(PendingRedlistRemoval.id)))


def publish_grant(session: Session, case: Case, licence_no: str, granted_at: datetime) -> LicencePublication:
    """The granted licence on the public list (one row per case); a person's name and ID are masked."""
    existing = session.scalar(select(LicencePublication).where(LicencePublication.case_id == case.id))
    if existing is not None:
        return existing
    application = application_of(session, case)
    subject = case.subject
    person = subject is not None and subject.kind == SubjectKind.PERSON
    name = subject.name if subject is not None else ""
    publication = LicencePublication(
        case_id=case.id, subject_id=case.subject_id, holder_name=mask_name(name, subject.kind) if subject is not None else name,
        holder_code=SubjectCode(SubjectKind.PERSON, subject.code).masked() if person else (subject.code if subject else ""),
        matter_name=application.matter_name if application else "",
        matter_name_en=application.matter_name_en if application else "", department_id=case.department_id,
        licence_no=licence_no[:100], granted_on=calendar.local_date(granted_at), published_at=utcnow())
    session.add(publication)
    session.flush()
    return publication


@dataclass(frozen=True)
class PublicationPage:
    items: list[LicencePublication]
    total: int
    page: int = 1
    per_page: int = 20


def publication_page(session: Session, page: int = 1, per_page: int = 20) -> PublicationPage:
    """The granted licences on the public list, newest first, a page at a time."""
    page, per_page = max(page, 1), max(per_page, 1)
    total = session.scalar(select(func.count()).select_from(LicencePublication)) or 0
    query = (select(LicencePublication).options(selectinload(LicencePublication.department))
             .order_by(LicencePublication.published_at.desc(), LicencePublication.id.desc())
             .offset((page - 1) * per_page).limit(per_page))
    return PublicationPage(list(session.scalars(query)), total, page, per_page)


def publications(session: Session, *, limit: int = 200) -> list[LicencePublication]:
    return publication_page(session, 1, limit).items


def broken_commitments_of(session: Session, subject_id: int) -> list[BrokenCommitment]:
    query = select(BrokenCommitment).where(BrokenCommitment.subject_id == subject_id)
    return list(session.scalars(query.order_by(BrokenCommitment.recorded_on.desc(), BrokenCommitment.id.desc())))
