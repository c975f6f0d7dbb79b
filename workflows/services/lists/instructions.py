"""Execution feedback (执行反馈, Z V(1), Q V(3)): every instruction to an implementing department to apply,
suspend, resume or stop a measure waits for the department's confirmation that it was carried out, with the
day and a note. Unconfirmed instructions are due within `measures.confirmation_days` working days; overdue ones
are counted by department on the supervision dashboard and can be urged; the monthly statistics count the
measures carried out. A later instruction about the same measure supersedes an earlier one not yet confirmed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, selectinload

from sla import calendar
from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings
from workflows.services.casework import history
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.instructions import Instruction
from workflows.store.models import Department, ListEntry, Measure

KINDS = ("apply", "suspend", "resume", "stop")
# the notice that tells a department, or the measure's change, -> the instruction it carries
BY_NOTICE = {"measure.apply": "apply", "measure.suspend": "suspend", "measure.resume": "resume",
             "measure.restore": "resume", "measure.stop": "stop", "incentive.stop": "stop"}
STATUSES = ("open", "overdue", "confirmed", "all")
PROCESS = "instructions"  # the outbox process of instructions' own events (an urging)
NOTE_MAX = 2000
PER_PAGE = 200
CHUNK = 500  # measures per query


def due_day(session: Session, now: datetime) -> date | None:
    """The last day for the confirmation; None for a year the calendar has no data for (then never overdue)."""
    calendar_service.install_from(session)
    try:
        return calendar.add_working_days(calendar.local_date(now),
                                         settings.get(session, "measures.confirmation_days"))
    except calendar.CalendarDataMissing:
        return None


def issue(session: Session, event: OutboxEvent, measures: Iterable[Measure], kind: str) -> dict[int, Instruction]:
    """One instruction per measure for this event (a retried step finds the ones it made); an earlier unconfirmed
    instruction about the same measure is superseded. {measure id: instruction}."""
    measures = list(measures)
    made: dict[int, Instruction] = {}
    now, due = utcnow(), None
    for start in range(0, len(measures), CHUNK):
        chunk = measures[start:start + CHUNK]
        ids = [m.id for m in chunk]
        made.update({i.measure_id: i for i in session.scalars(select(Instruction).where(
            Instruction.event_id == event.id, Instruction.measure_id.in_(ids)))})
        new = [m for m in chunk if m.id not in made]
        if not new:
            continue
        session.execute(update(Instruction).where(
            Instruction.measure_id.in_([m.id for m in new]), Instruction.confirmed_at.is_(None),
            Instruction.superseded_at.is_(None)).values(superseded_at=now).execution_options(synchronize_session=False))
        due = due or due_day(session, now)
        for measure in new:
            made[measure.id] = Instruction(measure_id=measure.id, department_id=measure.department_id, kind=kind,
                                           event_id=event.id, case_id=event.case_id, issued_at=now, due_on=due,
                                           note="", confirmed_by_label="", urge_count=0)
            session.add(made[measure.id])
        session.flush()
    return made


# --- reading ----------------------------------------------------------------------------------------

def _scope(actor: Actor) -> int | None:
    """The department whose instructions the actor sees; None: every department (supervision)."""
    if actor.roles & {Role.SUPERVISOR, Role.ADMINISTRATOR}:
        return None
    if Role.IMPLEMENTING_DEPARTMENT in actor.roles and actor.department_id is not None:
        return actor.department_id
    raise RoleNotAllowed("only implementing departments, supervisors and administrators see instructions")


def listed(session: Session, actor: Actor, status: str = "open", department_code: str | None = None, *,
           today: date | None = None, limit: int = PER_PAGE) -> list[Instruction]:
    """The instructions the actor may see, oldest due first: `open` (unconfirmed, overdue included),
    `overdue`, `confirmed` (newest first) or `all`."""
    if status not in STATUSES:
        raise InvalidInput(N_("unknown status '%(status)s'"), field="status", status=str(status)[:20])
    today = today or calendar.local_date(utcnow())
    query = select(Instruction).options(selectinload(Instruction.measure).selectinload(Measure.entry)
                                        .selectinload(ListEntry.subject),
                                        selectinload(Instruction.measure).selectinload(Measure.catalogue),
                                        selectinload(Instruction.department))
    department_id = _scope(actor)
    if department_id is None and department_code:
        department_id = _department(session, department_code).id
    if department_id is not None:
        query = query.where(Instruction.department_id == department_id)
    unconfirmed = [Instruction.confirmed_at.is_(None), Instruction.superseded_at.is_(None)]
    if status == "open":
        query = query.where(*unconfirmed).order_by(Instruction.due_on, Instruction.id)
    elif status == "overdue":
        query = query.where(*unconfirmed, Instruction.due_on < today).order_by(Instruction.due_on, Instruction.id)
    elif status == "confirmed":
        query = query.where(Instruction.confirmed_at.is_not(None)).order_by(Instruction.confirmed_at.desc(),
                                                                             Instruction.id.desc())
    else:
        query = query.order_by(Instruction.id.desc())
    return list(session.scalars(query.limit(limit)))


def get_for(session: Session, actor: Actor, instruction_id: int) -> Instruction:
    """One instruction the actor may see; another department's is as one that does not exist."""
    department_id = _scope(actor)
    instruction = session.get(Instruction, instruction_id) if 0 < instruction_id < 2**63 else None
    if instruction is None or (department_id is not None and instruction.department_id != department_id):
        raise NotFound(N_("no instruction #%(id)s"), field="instruction", id=instruction_id)
    return instruction


def _department(session: Session, code: str) -> Department:
    department = None if "\x00" in code else session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(N_("no department with code '%(code)s'"), field="department", code=code[:40])
    return department


# --- confirming -------------------------------------------------------------------------------------

def confirm(session: Session, instruction_id: int, actor: Actor, carried_out_on: date | None, note: str = "", *,
            now: datetime | None = None) -> Instruction:
    """The department confirms that it carried the instruction out, on a day between the instruction's issue
    and today, with a note; once."""
    now = now or utcnow()
    if Role.IMPLEMENTING_DEPARTMENT not in actor.roles or actor.department_id is None:
        raise RoleNotAllowed("only the implementing department told may confirm an instruction")
    instruction = get_for(session, actor, instruction_id)
    session.refresh(instruction, with_for_update=True)
    if instruction.confirmed_at is not None:
        raise Conflict(N_("instruction #%(id)s was confirmed already"), field="instruction", id=instruction.id)
    if instruction.superseded_at is not None:
        raise Conflict(N_("instruction #%(id)s was replaced by a later instruction about the same measure: confirm "
                          "that one"), field="instruction", id=instruction.id)
    today, issued = calendar.local_date(now), calendar.local_date(instruction.issued_at)
    if carried_out_on is None:
        raise InvalidInput("state the day the instruction was carried out", field="carried_out_on")
    if carried_out_on > today:
        raise InvalidInput(N_("the day it was carried out cannot be after today (%(today)s)"),
                           field="carried_out_on", today=today.isoformat())
    if carried_out_on < issued:
        raise InvalidInput(N_("the day it was carried out cannot be before the instruction was issued (%(day)s)"),
                           field="carried_out_on", day=issued.isoformat())
    note = (note or "").strip()
    if "\x00" in note:
        raise InvalidInput("the text contains a NUL character", field="note")
    if len(note) > NOTE_MAX:
        raise InvalidInput(N_("the note is longer than %(count)s characters"), field="note", count=NOTE_MAX)
    instruction.confirmed_at, instruction.carried_out_on, instruction.note = now, carried_out_on, note
    instruction.confirmed_by_id, instruction.confirmed_by_label = actor.user_id, actor.label
    history.record(session, actor=actor, action="confirm_instruction", entity_type="measure",
                   entity_id=instruction.measure_id, case_id=instruction.case_id, reason=note, at=now,
                   data={"instruction_id": instruction.id, "kind": instruction.kind,
                         "carried_out_on": carried_out_on.isoformat(),
                         "late": instruction.due_on is not None and today > instruction.due_on})
    session.flush()
    return instruction


# --- supervision ------------------------------------------------------------------------------------

@dataclass
class DepartmentBacklog:
    """A department's unconfirmed instructions: how many, how many overdue, the oldest due day."""

    department: Department
    unconfirmed: int = 0
    overdue: int = 0
    oldest_due: date | None = None


def backlog(session: Session, today: date, department_id: int | None = None) -> list[DepartmentBacklog]:
    """Per department with unconfirmed instructions, most overdue first (an aggregate query)."""
    overdue = func.sum(case((Instruction.due_on < today, 1), else_=0))
    query = (select(Instruction.department_id, func.count(), overdue, func.min(Instruction.due_on))
             .where(Instruction.confirmed_at.is_(None), Instruction.superseded_at.is_(None))
             .group_by(Instruction.department_id))
    if department_id is not None:
        query = query.where(Instruction.department_id == department_id)
    rows = list(session.execute(query))
    departments = {d.id: d for d in session.scalars(select(Department).where(
        Department.id.in_([r[0] for r in rows])))} if rows else {}
    found = [DepartmentBacklog(departments[d], int(n), int(late or 0), oldest) for d, n, late, oldest in rows]
    return sorted(found, key=lambda b: (-b.overdue, -b.unconfirmed, b.department.code))


def urge(session: Session, actor: Actor, department_code: str, message: str,
         instruction_ids: Iterable[int] | None = None, *, now: datetime | None = None) -> list[Instruction]:
    """A supervisor urges a department to confirm its overdue instructions (or those named); the department is
    told by the flow. The answer to the urging is the confirmation itself."""
    now = now or utcnow()
    if Role.SUPERVISOR not in actor.roles:
        raise RoleNotAllowed("only a supervisor may urge a department")
    department = _department(session, (department_code or "").strip())
    message = (message or "").strip()
    if "\x00" in message:
        raise InvalidInput("the text contains a NUL character", field="message")
    if len(message) < 4:
        raise InvalidInput("write what the department must do (at least 4 characters)", field="message")
    today = calendar.local_date(now)
    query = select(Instruction).where(Instruction.department_id == department.id,
                                      Instruction.confirmed_at.is_(None), Instruction.superseded_at.is_(None))
    ids = None if instruction_ids is None else list(dict.fromkeys(int(i) for i in instruction_ids))
    if ids:
        query = query.where(Instruction.id.in_(ids))
    else:
        query = query.where(Instruction.due_on < today)
    urged = list(session.scalars(query.order_by(Instruction.id).limit(PER_PAGE).with_for_update()))
    if ids and len(urged) != len(ids):
        raise Conflict(N_("only unconfirmed instructions of %(department)s can be urged"), field="instruction_ids",
                       department=department.code)
    if not urged:
        raise Conflict(N_("%(department)s has no overdue instruction to urge"), field="department",
                       department=department.code)
    for instruction in urged:
        instruction.urged_at, instruction.urge_count = now, (instruction.urge_count or 0) + 1
    event = OutboxEvent(process=PROCESS, kind="urge", payload={
        "department_id": department.id, "instruction_ids": [i.id for i in urged], "message": message[:4000],
        "by": actor.label}, available_at=now, created_at=now)
    session.add(event)
    session.flush()
    history.record(session, actor=actor, action="urge_instructions", entity_type="department",
                   entity_id=department.id, reason=message[:4000], at=now,
                   data={"event_id": event.id, "instruction_ids": [i.id for i in urged]})
    return urged


# --- monthly statistics -----------------------------------------------------------------------------

def carried_out(session: Session, start: date, end: date) -> list[tuple[int, str, str, int]]:
    """(department id, list kind, instruction kind, how many) confirmed as carried out from `start` to `end`."""
    query = (select(Instruction.department_id, ListEntry.list_kind, Instruction.kind, func.count())
             .join(Measure, Measure.id == Instruction.measure_id).join(ListEntry, ListEntry.id == Measure.list_entry_id)
             .where(Instruction.carried_out_on >= start, Instruction.carried_out_on <= end)
             .group_by(Instruction.department_id, ListEntry.list_kind, Instruction.kind))
    return [tuple(row) for row in session.execute(query)]


def unconfirmed_at(session: Session, end: datetime) -> list[tuple[int, int]]:
    """(department id, how many) instructions issued before `end` and not confirmed nor superseded by then."""
    query = (select(Instruction.department_id, func.count())
             .where(Instruction.issued_at < end,
                    (Instruction.confirmed_at.is_(None)) | (Instruction.confirmed_at >= end),
                    (Instruction.superseded_at.is_(None)) | (Instruction.superseded_at >= end))
             .group_by(Instruction.department_id))
    return [tuple(row) for row in session.execute(query)]
