"""What the administrator's pages read, and enabling or disabling an account."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from sla import calendar as working_calendar
from workflows.domain.errors import Conflict, NotFound
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.admin.calendar import install_from
from workflows.services.casework import history
from workflows.store.models import CalendarYear, HistoryEntry, User, UserRole


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def users(session: Session, *, search: str = "", role: str = "", page: int = 1, per_page: int = 50) -> Page:
    query = select(User)
    text = (search or "").strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.username).like(pattern), func.lower(User.display_name).like(pattern)))
    if role in set(Role):
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(
        query.options(selectinload(User.department), selectinload(User.subject))
        .order_by(User.username).offset((page - 1) * per_page).limit(per_page)
    )
    return Page(list(rows), page, per_page, total)


def set_user_active(session: Session, user_id: int, active: bool, actor: Actor) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", field="user")
    if user.active == active:
        return user
    if not active and user.id == actor.user_id:
        raise Conflict("you cannot disable your own account", field="user")
    if not active and Role.ADMINISTRATOR in user.roles and _active_administrators(session) <= 1:
        raise Conflict("the last active administrator cannot be disabled", field="user")
    before = "active" if user.active else "disabled"
    user.active = active
    if not active:
        user.session_version = (user.session_version or 1) + 1  # its sessions and tokens end now
    history.record(session, actor=actor, action="enable_user" if active else "disable_user", entity_type="user",
                   entity_id=user.id, from_state=before, to_state="active" if active else "disabled")
    return user


def _active_administrators(session: Session) -> int:
    query = select(func.count()).select_from(User).join(UserRole, UserRole.user_id == User.id)
    return session.scalar(query.where(User.active.is_(True), UserRole.role == Role.ADMINISTRATOR.value)) or 0


def pending_claims(session: Session) -> list[User]:
    """Applicants waiting for the accepting office to confirm they act for their subject, oldest first."""
    query = select(User).where(User.claim_status == "pending").options(selectinload(User.subject))
    return list(session.scalars(query.order_by(User.created_at, User.id)))


def claim_rejection_reason(session: Session, user_id: int) -> str | None:
    """Why the accepting office rejected an applicant's claim (for the applicant's home page)."""
    query = select(HistoryEntry.reason).where(
        HistoryEntry.entity_type == "user", HistoryEntry.entity_id == str(user_id),
        HistoryEntry.action == "reject_claim")
    return session.scalar(query.order_by(HistoryEntry.id.desc()).limit(1))


def setting_changes(session: Session, limit: int = 100) -> list[HistoryEntry]:
    query = select(HistoryEntry).where(HistoryEntry.entity_type == "setting")
    return list(session.scalars(query.order_by(HistoryEntry.id.desc()).limit(limit)))


@dataclass(frozen=True)
class CalendarImport:
    year: int
    days_off: int
    working_days: int
    source_filename: str
    imported_by: str
    imported_at: object


def calendar_imports(session: Session) -> list[CalendarImport]:
    query = (select(CalendarYear, User.display_name, User.username)
             .outerjoin(User, User.id == CalendarYear.imported_by_id).order_by(CalendarYear.year))
    return [
        CalendarImport(row.year, len(row.days_off), len(row.working_days), row.source_filename,
                       display or username or "system", row.imported_at)
        for row, display, username in session.execute(query)
    ]


@dataclass(frozen=True)
class CalendarYearStatus:
    year: int
    source: str | None  # "imported", "packaged", or None: no deadline can be computed in this year
    arrangement: working_calendar.YearArrangement | None


def calendar_years(session: Session, years: range, imported: list[CalendarImport]) -> list[CalendarYearStatus]:
    """Where each year's working days come from: the given years and every imported one."""
    install_from(session)
    effective = working_calendar.default_calendar()
    rows = []
    for year in sorted(set(years) | {i.year for i in imported}):
        source = effective.source(year)
        rows.append(CalendarYearStatus(year, source, effective.arrangement(year) if source else None))
    return rows
