"""Urging (督办): a supervisor urges a department on a case with a message and a reply-by day; the
department replies. The reply-by day is a timer of the case, so the sweep warns, breaches and
escalates it like any deadline; each urging and reply is in the case's history and the outbox.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sla import calendar
from workflows.domain.errors import N_, ActionNotAllowed, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.process import Actor, DeadlineSpec
from workflows.domain.roles import DEPARTMENT_ROLES, Role
from workflows.domain.supervision import URGING_DEADLINE
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings
from workflows.services.casework import history, outbox, timers
from workflows.services.casework.cases import get_case
from workflows.store.base import utcnow
from workflows.store.models import Department, User, UserRole
from workflows.store.supervision import Urging

REPLY = DeadlineSpec(URGING_DEADLINE, "supervision.reply_days", "department")
MAX_CASES = 200


def default_reply_by(session: Session, now: datetime) -> date:
    calendar_service.install_from(session)
    return calendar.add_working_days(calendar.local_date(now), settings.get(session, "supervision.reply_days"))


OPEN = ("pending", "warned", "paused", "breached", "unscheduled")


def waiting_department_id(session: Session, case) -> int | None:
    """The department the case waits on now: the owner of its earliest open legal deadline (the accepting
    office's department for the office's step), else the department concerned by the case."""
    open_ = sorted((t for t in case.timers if t.status in OPEN and t.ended_at is None and t.kind != URGING_DEADLINE),
                   key=lambda t: (t.due_at is None, t.due_at or utcnow()))
    for timer in open_:
        if timer.owner == "department" and timer.department_id is not None:
            return timer.department_id
        if timer.owner == "accepting_office":
            office = session.scalar(select(User.department_id).join(UserRole).where(
                UserRole.role == Role.ACCEPTING_OFFICE.value, User.active.is_(True), User.department_id.is_not(None))
                .order_by(User.id).limit(1))
            if office is not None:
                return office
    return case.department_id


def urge(session: Session, case_ids: Iterable[int], actor: Actor, message: str, reply_by: date | None = None, *,
         department_code: str | None = None, now: datetime | None = None) -> list[Urging]:
    """One urging per case, each with its own reply-by timer; all or none."""
    now = now or utcnow()
    if Role.SUPERVISOR not in actor.roles:
        raise RoleNotAllowed("only a supervisor may urge a department")
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        raise InvalidInput("choose at least one case to urge", field="case_ids")
    if len(ids) > MAX_CASES:
        raise InvalidInput(N_("at most %(count)s cases at once"), field="case_ids", count=MAX_CASES)
    message = _text(message, "message")
    if len(message) < 4:
        raise InvalidInput("write what the department must do (at least 4 characters)", field="message")
    calendar_service.install_from(session)
    today = calendar.local_date(now)
    with calendar_service.needed_for_a_date_told(session):  # the department is told the reply-by date
        reply_by = reply_by or default_reply_by(session, now)
        limit = _working_days_until(today, reply_by)
    department = _department(session, department_code)
    urgings = []
    for case_id in ids:
        case = get_case(session, case_id, for_update=True)
        if case.closed_at is not None:
            raise ActionNotAllowed(N_("case #%(id)s is closed: there is nothing to urge"), field="case_ids",
                                   details={"case": case.id, "state": case.state}, id=case.id)
        target = department.id if department else waiting_department_id(session, case)
        if target is None:
            raise InvalidInput(N_("case #%(id)s has no department concerned: choose the department"),
                               field="department", id=case.id)
        timer = timers.start(session, case, REPLY, now, days=limit)
        timer.department_id = target
        urging = Urging(case=case, department_id=target, timer=timer, message=message[:4000], reply_by=reply_by,
                        urged_by_id=actor.user_id, urged_by_label=actor.label, urged_at=now, reply="",
                        replied_by_label="")
        session.add(urging)
        session.flush()
        history.record(session, actor=actor, action="urge", entity_type="case", entity_id=case.id, case_id=case.id,
                       reason=message[:4000], at=now,
                       data={"urging_id": urging.id, "department_id": target, "reply_by": reply_by.isoformat()})
        outbox.emit(session, case, "urge", now, urging_id=urging.id)
        urgings.append(urging)
    return urgings


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if "\x00" in text:  # no database keeps it as text
        raise InvalidInput("the text contains a NUL character", field=field)
    return text


def _working_days_until(today: date, reply_by: date) -> int:
    if reply_by <= today:
        raise InvalidInput(N_("the reply-by day must be after today (%(today)s)"), field="reply_by",
                           today=today.isoformat())
    days = calendar.working_days_between(today, reply_by)  # a year without an arrangement: refused by the caller
    if days < 1:
        raise InvalidInput("the reply-by day leaves the department no working day", field="reply_by")
    return days


def _department(session: Session, code: str | None) -> Department | None:
    if not code:
        return None
    department = None if "\x00" in code else session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(N_("no department with code '%(code)s'"), field="department", code=code)
    return department


def reply(session: Session, urging_id: int, actor: Actor, text: str, *, now: datetime | None = None) -> Urging:
    """The urged department's answer; it ends the reply-by timer (met, or late if it had breached)."""
    now = now or utcnow()
    urging = session.get(Urging, urging_id)
    if urging is None:
        raise NotFound(N_("no urging #%(id)s"), field="urging", id=urging_id)
    if actor.department_id != urging.department_id or not actor.roles - {Role.APPLICANT}:
        raise RoleNotAllowed("only the urged department may reply")
    if urging.replied_at is not None:
        raise Conflict("this urging has been answered already", field="reply")
    text = _text(text, "reply")
    if len(text) < 2:
        raise InvalidInput("write the reply", field="reply")
    urging.reply, urging.replied_at = text[:4000], now
    urging.replied_by_id, urging.replied_by_label = actor.user_id, actor.label
    timer = urging.timer
    if timer is not None and timer.ended_at is None:
        timer.status = "breached" if timer.status == "breached" else "met"
        timer.ended_at, timer.next_fire_at = now, None
    history.record(session, actor=actor, action="reply_urging", entity_type="case", entity_id=urging.case_id,
                   case_id=urging.case_id, reason=text[:4000], at=now,
                   data={"urging_id": urging.id, "late": timer is not None and timer.status == "breached"})
    outbox.emit(session, urging.case, "reply_urging", now, urging_id=urging.id)
    session.flush()
    return urging


def urgings_of_case(session: Session, case_id: int) -> list[Urging]:
    return list(session.scalars(select(Urging).where(Urging.case_id == case_id)
                                .options(selectinload(Urging.department), selectinload(Urging.timer))
                                .order_by(Urging.id)))


def awaiting_reply(session: Session, department_id: int | None) -> list[Urging]:
    if department_id is None:
        return []
    return list(session.scalars(select(Urging).where(Urging.department_id == department_id,
                                                     Urging.replied_at.is_(None))
                                .options(selectinload(Urging.timer), selectinload(Urging.case))
                                .order_by(Urging.reply_by, Urging.id)))


def department_users(session: Session, department_id: int) -> list[User]:
    """Who answers for a department: its active staff, not the supervisors who sit in it."""
    users = session.scalars(select(User).where(User.department_id == department_id, User.active.is_(True))
                            .order_by(User.id))
    return [u for u in users if u.roles - {Role.SUPERVISOR, Role.ADMINISTRATOR, Role.APPLICANT}]


def head_of_supervision(session: Session) -> User | None:
    """The user a second escalation goes to (setting supervision.head_user_id); None: every supervisor."""
    user_id = settings.get(session, "supervision.head_user_id")
    if not user_id:
        return None
    user = session.scalar(select(User).join(UserRole).where(User.id == user_id, User.active.is_(True),
                                                             UserRole.role == Role.SUPERVISOR.value))
    return user


def set_head_of_supervision(session: Session, user_id: object, actor: Actor) -> User | None:
    """Name the head of supervision (an active supervisor), or nobody (0): every supervisor is then told."""
    try:
        number = None if isinstance(user_id, bool) else int(str(user_id).strip())
    except ValueError:
        number = None
    if number is not None and not 0 <= number <= 10**9:  # the setting's range; never beyond the database's ids
        number = None
    head = None
    if number:
        head = session.scalar(select(User).join(UserRole).where(User.id == number, User.active.is_(True),
                                                                 UserRole.role == Role.SUPERVISOR.value))
    if number is None or (number and head is None):
        raise InvalidInput("choose an active supervisor, or 0 for every supervisor", field="user_id",
                           details={"user_id": str(user_id)[:20]})
    settings.change(session, "supervision.head_user_id", number, actor)
    return head


def all_urgings(session: Session, *, waiting: bool, department_id: int | None = None,
                limit: int = 200) -> list[Urging]:
    """The latest urgings awaiting a reply (or answered), for the supervisors' list; of one department if given."""
    query = select(Urging).options(selectinload(Urging.department), selectinload(Urging.timer),
                                   selectinload(Urging.case))
    query = query.where(Urging.replied_at.is_(None) if waiting else Urging.replied_at.is_not(None))
    if department_id is not None:
        query = query.where(Urging.department_id == department_id)
    return list(session.scalars(query.order_by(Urging.id.desc()).limit(limit)))


def urgings_for(session: Session, actor: Actor, *, waiting: bool, limit: int = 200) -> list[Urging]:
    """Supervisors and administrators see every urging; a department those addressed to it; nobody else any."""
    if actor.roles & {Role.SUPERVISOR, Role.ADMINISTRATOR}:
        return all_urgings(session, waiting=waiting, limit=limit)
    if actor.department_id is None or not actor.roles & (DEPARTMENT_ROLES | {Role.ACCEPTING_OFFICE}):
        raise RoleNotAllowed("only supervisors, administrators and the urged departments see urgings")
    return all_urgings(session, waiting=waiting, department_id=actor.department_id, limit=limit)
