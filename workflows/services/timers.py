"""SLA timers as rows: started, paused, resumed and ended by case actions; fired by the sweep."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import deadlines
from workflows.domain.process import DeadlineSpec
from workflows.store.cases import Case, Timer

from . import calendar as calendar_service
from . import settings

OPEN = ("pending", "warned", "paused", "breached")


def start(session: Session, case: Case, spec: DeadlineSpec, now: datetime, *, days: int | None = None) -> Timer:
    calendar_service.install_from(session)
    limit = days if days is not None else settings.get(session, spec.limit_setting)
    plan = deadlines.schedule(now, limit, settings.get(session, "sla.warning_days"))
    timer = Timer(
        case=case, kind=spec.kind, owner=spec.owner, limit_days=limit, started_on=deadlines.calendar.local_date(now), status="pending",
        department_id=case.department_id if spec.owner == "department" else None,
        due_on=plan.due_on, due_at=plan.due_at, warn_at=plan.warn_at,
        next_fire_at=min(plan.warn_at, plan.due_at), created_at=now,
    )
    session.add(timer)
    return timer


def open_timer(case: Case, kind: str) -> Timer | None:
    for timer in case.timers:
        if timer.kind == kind and timer.status in OPEN:
            return timer
    return None


def end(case: Case, kind: str, now: datetime, *, met: bool = True) -> None:
    timer = open_timer(case, kind)
    if timer is None:
        return
    on_time = timer.status != "breached"
    timer.status = "met" if met and on_time else ("cancelled" if not met else "breached")
    timer.ended_at, timer.next_fire_at = now, None


def pause(case: Case, kind: str, now: datetime) -> None:
    timer = open_timer(case, kind)
    if timer is None or timer.status == "paused" or timer.due_on is None:
        return
    timer.remaining_days = deadlines.remaining_working_days(now, timer.due_on)
    timer.status, timer.paused_at, timer.next_fire_at = "paused", now, None


def resume(session: Session, case: Case, kind: str, now: datetime) -> None:
    timer = open_timer(case, kind)
    if timer is None or timer.status != "paused":
        return
    calendar_service.install_from(session)
    plan = deadlines.schedule(now, timer.remaining_days or 0, settings.get(session, "sla.warning_days"))
    timer.due_on, timer.due_at, timer.warn_at = plan.due_on, plan.due_at, plan.warn_at
    timer.status, timer.paused_at, timer.remaining_days = "pending", None, None
    timer.warned_at = None
    timer.next_fire_at = min(plan.warn_at, plan.due_at)


def timers_of(session: Session, case_id: int) -> list[Timer]:
    return list(session.scalars(select(Timer).where(Timer.case_id == case_id).order_by(Timer.id)))
