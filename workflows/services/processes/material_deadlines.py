"""The green channel's deadlines as timer rows, kept in line with the materials' state.

`materials` times the applicant's earliest outstanding item (one row: when that item comes in it moves
on to the next one's deadline, an extension moves it too, and it is met when nothing is outstanding);
`processing` times the department's promised processing time from acceptance to its decision.
Reconciling is idempotent: the pages do it in the action's transaction, the flow again after every event.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from sla import calendar, deadlines
from workflows.domain.commitment import MaterialsState
from workflows.services.admin import settings
from workflows.services.casework import timers
from workflows.services.casework.case_records import FollowOn
from workflows.services.processes.conditional_acceptance import (
    SYSTEM,
    all_verified,
    application_of,
    due_day,
    materials_state,
)
from workflows.store.cases import Case, Timer

MATERIALS, PROCESSING = "materials", "processing"
OWNERS = {MATERIALS: "applicant", PROCESSING: "department"}
DECIDED = ("granted", "licence_refused", "published")


def _wanted(session: Session, case: Case, state: MaterialsState) -> dict[str, tuple[datetime, int, date]]:
    """kind -> (from when, working days, due day) of each deadline that should run now."""
    application = application_of(session, case)
    if application is None or state.accepted_at is None:
        return {}
    wanted = {}
    earliest = state.earliest_due()
    if case.state == "awaiting_materials" and earliest is not None:
        item = next(i for i in state.outstanding() if i.due_on == earliest)
        wanted[MATERIALS] = (item.runs_from, item.runs_days, earliest)  # from a late rejection: the period after it
    if case.state in ("awaiting_materials", "materials_complete"):
        days = application.processing_days
        wanted[PROCESSING] = (state.accepted_at, days, due_day(state.accepted_at, days))
    return wanted


def reconcile(session: Session, case: Case, now: datetime) -> None:
    state = materials_state(session, case)
    wanted = _wanted(session, case, state)
    for kind, owner in OWNERS.items():
        current = timers.open_timer(case, kind)
        want = wanted.get(kind)
        if current is None and want is not None:
            session.add(Timer(case=case, kind=kind, owner=owner,
                              department_id=case.department_id if owner == "department" else None, created_at=now,
                              **_schedule(session, want[0], want[1])))
        elif current is not None and want is None:
            _end(case, current, now)
        elif current is not None and current.due_on != want[2]:
            # the next item's deadline, an extension, or the period after a late rejection
            for name, value in _schedule(session, want[0], want[1]).items():
                setattr(current, name, value)


def _end(case: Case, timer: Timer, now: datetime) -> None:
    """Met when what it timed is done; a missed deadline stays breached; cancelled when the case ended otherwise."""
    if timer.status != "breached":
        done = timer.kind == MATERIALS or case.state in DECIDED
        timer.status = "met" if done else "cancelled"
    timer.ended_at, timer.next_fire_at = now, None


def _schedule(session: Session, start: datetime, days: int) -> dict:
    plan = deadlines.schedule(start, days, settings.get(session, "sla.warning_days"))
    return {"started_on": calendar.local_date(start), "limit_days": days, "due_on": plan.due_on, "due_at": plan.due_at, "warn_at": plan.warn_at,
            "status": "pending", "warned_at": None, "breached_at": None, "next_fire_at": min(plan.warn_at, plan.due_at)}


def after_action(session: Session, case: Case, now: datetime) -> FollowOn | None:
    """The green channel's follow-up of every action (idempotent): the deadlines kept in line with the
    materials, and once every missing material is verified, the materials completed."""
    reconcile(session, case, now)
    if case.state == "awaiting_materials" and all_verified(session, case):
        return FollowOn("complete_materials", SYSTEM)
    return None
