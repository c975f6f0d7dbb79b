"""Reading cases: who may see which, the reviewer's inbox, the paged list, deadline status."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from sla import calendar, deadlines
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.processes import DEFINITIONS
from workflows.services.supervision import deadline_filters
from workflows.store.base import utcnow
from workflows.store.cases import Case, Timer
from workflows.store.models import Department, ListEntry, Subject

ALL_SEEING = {Role.ACCEPTING_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR}
OPEN_TIMER = ("pending", "warned", "paused", "breached", "unscheduled")


def visible(actor: Actor):
    """A WHERE clause: the cases this actor may see."""
    if actor.roles & ALL_SEEING:
        return true()
    clauses = []
    if actor.department_id is not None and actor.roles - {Role.APPLICANT}:
        clauses.append(Case.department_id == actor.department_id)
    if actor.user_id is not None and actor.roles - {Role.APPLICANT}:
        clauses.append(Case.applicant_id == actor.user_id)  # a report the department filed (abuse of the red list)
    if actor.subject_id is not None:
        clauses.append(Case.subject_id == actor.subject_id)
        if actor.user_id is not None:  # a case erased with a purged listing points at no subject: its applicant's
            clauses.append(and_(Case.subject_id.is_(None), Case.applicant_id == actor.user_id))
    return or_(*clauses) if clauses else false()


def _like(text: str) -> str:
    """A LIKE pattern that finds the text anywhere, its own % and _ taken as they are."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching(search: str):
    """A WHERE clause: the cases a searched text finds: by case number ("12" or "#12"), by a part of the subject's
    name or credit code, by a part of the document number of the list entry it concerns."""
    text = search.strip()[:100]
    pattern = _like(text)
    number = text.lstrip("#＃").strip()
    subjects = select(Subject.id).where(or_(Subject.name.ilike(pattern, escape="\\"),
                                            Subject.code.ilike(pattern, escape="\\")))
    entries = select(ListEntry.id).where(ListEntry.document_no.ilike(pattern, escape="\\"))
    clauses = [Case.subject_id.in_(subjects), Case.list_entry_id.in_(entries)]
    if number.isdigit() and len(number) < 10:
        clauses.append(Case.id == int(number))
    return or_(*clauses)


def overdue_clause():
    return exists().where(Timer.case_id == Case.id, Timer.status == "breached", Case.closed_at.is_(None))


def waiting_on(actor: Actor):
    """A WHERE clause: cases in a state where this actor may take a (non-system) action now."""
    clauses = []
    for definition in DEFINITIONS.values():
        for action in definition.actions:
            who = action.who
            if who.binding == "system" or not (who.roles & actor.roles):
                continue
            condition = and_(Case.process == definition.name, Case.state.in_(action.sources))
            if who.binding == "department":
                condition = and_(condition, Case.department_id == actor.department_id)
            elif who.binding == "subject":
                condition = and_(condition, Case.subject_id == actor.subject_id)
            elif who.binding == "party":  # the subject of its own case, the complainant of a complaint
                origin = func.coalesce(Case.data["origin"].as_string(), "applicant")
                condition = and_(condition, or_(and_(origin == "applicant", Case.subject_id == actor.subject_id),
                                                and_(origin == "complaint", Case.applicant_id == actor.user_id)))
            clauses.append(condition)
    return or_(*clauses) if clauses else false()


def next_due():
    """The earliest open deadline of the case, for sorting."""
    return (select(func.min(Timer.due_at)).where(Timer.case_id == Case.id, Timer.status.in_(OPEN_TIMER))
            .correlate(Case).scalar_subquery())


@dataclass
class Page:
    items: list[Case]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_cases(session: Session, actor: Actor, *, process: str | None = None, state: str | None = None,
               department: str | None = None, overdue: bool | None = None, mine: bool = False,
               inbox: bool = False, page: int = 1, per_page: int = 20, search: str | None = None,
               now: datetime | None = None, total: int | None = None, **supervision) -> Page:
    """`supervision`: deadline, deadline_owner, dated, date_from, date_to (services.deadline_filters); `search`:
    words of a subject's name, its credit code, a case number or a document number (see `matching`).
    `total`: how many cases match, when the caller has just counted them at `now` (the dashboard's figure
    of the same cases), which spares counting them again."""
    query = select(Case).where(visible(actor), *deadline_filters.case_filters(now=now or utcnow(), **supervision))
    if search and search.strip():
        query = query.where(matching(search))
    if process:
        query = query.where(Case.process == process)
    if state:
        query = query.where(Case.state == state)
    if department:
        query = query.where(Case.department_id == select(Department.id).where(Department.code == department)
                            .scalar_subquery())
    if overdue is not None:
        query = query.where(overdue_clause() if overdue else ~overdue_clause())
    if mine:
        query = query.where(Case.subject_id == actor.subject_id)
    if inbox:  # plus the cases on which a supervisor awaits the department's reply to an urging
        query = query.where(or_(and_(waiting_on(actor), Case.closed_at.is_(None)),
                                deadline_filters.awaiting_reply(actor.department_id)))
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
    due = next_due()
    ordered = query.order_by(due.is_(None), due, Case.id.desc()) if inbox else query.order_by(Case.id.desc())
    items = session.scalars(ordered.options(selectinload(Case.timers), selectinload(Case.subject))
                            .offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(items), total or 0, page, per_page)


@dataclass(frozen=True)
class DeadlineStatus:
    timer: Timer
    working_days_left: int | None
    status: str  # on_track, due_soon, overdue, paused, met, breached, cancelled


def deadline_status(timer: Timer, now: datetime) -> DeadlineStatus:
    """A deadline's status now, from its stored instants (as the dashboard's figures read it), and its working
    days left (negative: overdue by); the count is left out only where it needs a year without an arrangement."""
    if timer.status == "paused":
        return DeadlineStatus(timer, timer.remaining_days, "paused")
    if timer.status == "unscheduled":  # waits for next year's holiday arrangement
        return DeadlineStatus(timer, timer.remaining_days, "unscheduled")
    if timer.status in ("met", "cancelled") or timer.due_on is None:
        return DeadlineStatus(timer, None, timer.status)
    overdue = timer.status == "breached" or now >= timer.due_at
    if overdue:
        status = "overdue"
    else:
        status = "due_soon" if timer.warn_at is not None and now >= timer.warn_at else "on_track"
    try:
        left = (-deadlines.working_days_overdue(now, timer.due_on) if overdue
                else deadlines.remaining_working_days(now, timer.due_on))
    except calendar.CalendarDataMissing:  # overdue into a year without an arrangement: not estimated
        left = None
    return DeadlineStatus(timer, left, status)


def case_deadline_status(case: Case, now: datetime) -> str:
    """The worst status among the case's open deadlines ('' when none)."""
    order = {"overdue": 3, "due_soon": 2, "on_track": 1, "paused": 0}
    statuses = [deadline_status(t, now).status for t in case.timers if t.status in OPEN_TIMER]
    return max(statuses, key=lambda s: order.get(s, -1), default="")
