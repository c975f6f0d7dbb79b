"""Reading what the pages show, for the API: list entries for staff, reference data, a user's inbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sla import calendar
from workflows.domain.errors import N_, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import EntryStatus, ListKind
from workflows.domain.process import Actor
from workflows.domain.roles import STAFF_ROLES
from workflows.domain.subjects import parse_subject_code
from workflows.services.admin import settings as settings_service
from workflows.services.admin.calendar import arrangements as calendar_arrangements
from workflows.services.admin.calendar import install_from
from workflows.services.lists import catalogue as catalogue_service
from workflows.services.lists.subjects import may_see_key_attention
from workflows.store.automation import Notification
from workflows.store.base import utcnow
from workflows.store.models import Department, ListEntry, Measure, MeasureCatalogueItem, Subject


@dataclass
class EntryPage:
    items: list[ListEntry]
    total: int
    page: int
    per_page: int


def entries_for_staff(session: Session, actor: Actor, *, list_kind: str | None = None, status: str | None = None,
                      department: str | None = None, subject: str | None = None, page: int = 1,
                      per_page: int = 50) -> EntryPage:
    if not actor.roles & STAFF_ROLES:
        raise RoleNotAllowed("the list of entries is for staff; a subject reads its own at /api/v1/subjects/{code}",
                             field="role")
    query = select(ListEntry).where(ListEntry.status != EntryStatus.PURGED.value)
    if list_kind:
        query = query.where(ListEntry.list_kind == ListKind(list_kind).value)
    if status:
        if status not in {s.value for s in EntryStatus}:
            raise InvalidInput(N_("unknown status '%(value)s'"), field="status", value=status)
        query = query.where(ListEntry.status == status)
    if department:
        query = query.where(ListEntry.department_id == select(Department.id).where(Department.code == department)
                            .scalar_subquery())
    if subject:
        code = parse_subject_code(subject, field="subject").value
        query = query.where(ListEntry.subject_id == select(Subject.id).where(Subject.code == code).scalar_subquery())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.options(selectinload(ListEntry.subject), selectinload(ListEntry.department),
                                          selectinload(ListEntry.measures).selectinload(Measure.catalogue))
                            .order_by(ListEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return EntryPage(list(items), total, page, per_page)


def entry_for(session: Session, actor: Actor, entry_id: int) -> ListEntry:
    entry = session.get(ListEntry, entry_id)
    visible = (entry is not None and entry.status != EntryStatus.PURGED.value and entry.subject is not None
               and may_see_key_attention(actor, entry.subject))  # staff, or the subject itself
    if not visible:
        raise NotFound(N_("no list entry #%(id)s"), field="list_entry", id=entry_id)
    return entry


def departments(session: Session) -> list[Department]:
    return catalogue_service.departments(session)


def catalogue(session: Session) -> list[MeasureCatalogueItem]:
    return catalogue_service.catalogue(session)


def settings(session: Session) -> dict[str, int | bool]:
    return settings_service.all_values(session)


def arrangements(session: Session) -> list[calendar.YearArrangement]:
    return calendar_arrangements(session)


def add_working_days(session: Session, start: date, days: int) -> date:
    install_from(session)  # the administrator's imported years take precedence
    try:
        return calendar.add_working_days(start, days)
    except calendar.CalendarDataMissing as missing:
        raise InvalidInput(missing.msgid, field="start", year=missing.year) from None


def notifications(session: Session, user_id: int, *, page: int = 1, unread: bool = False,
                  per_page: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset((page - 1) * per_page).limit(per_page)))


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound(N_("no notification #%(id)s"), field="notification", id=notification_id)
    if note.read_at is None:
        note.read_at = utcnow()
    return note
