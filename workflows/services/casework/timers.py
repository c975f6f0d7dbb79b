"""SLA timers as rows: started, paused, resumed and ended by case actions; fired by the sweep.

A limit that runs into a year the calendar has no data for (the State Council publishes each year's
arrangement late in the year before) cannot be computed, and is never guessed: the timer is kept
`unscheduled` with its working days intact, the administrators are told to import the year, and the
import schedules every waiting timer from the instant its clock started. The person's filing or
decision is never refused for it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar, deadlines
from workflows.domain.process import DeadlineSpec
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings
from workflows.store.cases import Case, Timer

OPEN = ("pending", "warned", "paused", "breached", "unscheduled")


def _plan(session: Session, timer: Timer, clock_from: datetime, days: int) -> None:
    """Due and warning instants from `clock_from`; `unscheduled` if the calendar lacks the year."""
    try:
        plan = deadlines.schedule(clock_from, days, settings.get(session, "sla.warning_days"))
    except calendar.CalendarDataMissing as missing:
        # paused_at holds the instant the clock (re)started while the timer waits for the calendar
        timer.status, timer.remaining_days, timer.paused_at = "unscheduled", days, clock_from
        timer.due_on = timer.due_at = timer.warn_at = timer.next_fire_at = None
        calendar_service.ask_for_year(session, missing.year)
        return
    timer.due_on, timer.due_at, timer.warn_at = plan.due_on, plan.due_at, plan.warn_at
    timer.status, timer.paused_at, timer.remaining_days, timer.warned_at = "pending", None, None, None
    timer.next_fire_at = min(plan.warn_at, plan.due_at)


def start(session: Session, case: Case, spec: DeadlineSpec, now: datetime, *, days: int | None = None) -> Timer:
    calendar_service.install_from(session)
    limit = days if days is not None else settings.get(session, spec.limit_setting)
    timer = Timer(
        case=case, kind=spec.kind, owner=spec.owner, limit_days=limit, started_on=calendar.local_date(now),
        status="pending", department_id=case.department_id if spec.owner == "department" else None, created_at=now,
    )
    session.add(timer)
    _plan(session, timer, now, limit)
    return timer


def schedule_waiting(session: Session) -> int:
    """After a calendar import: compute every `unscheduled` timer the calendar now covers."""
    calendar_service.install_from(session)
    count = 0
    for timer in session.scalars(select(Timer).where(Timer.status == "unscheduled").order_by(Timer.id)):
        _plan(session, timer, timer.paused_at or timer.created_at, timer.remaining_days or 0)
        count += timer.status != "unscheduled"
    return count


def open_timer(case: Case, kind: str) -> Timer | None:
    for timer in case.timers:
        if timer.kind == kind and timer.status in OPEN:
            return timer
    return None


def end(case: Case, kind: str, now: datetime, *, met: bool = True) -> None:
    timer = open_timer(case, kind)
    if timer is None:
        return
    on_time = timer.status != "breached" and timer.breached_at is None  # a limit is missed or met, once
    timer.status = "met" if met and on_time else ("cancelled" if not met else "breached")
    timer.ended_at, timer.next_fire_at = now, None


def pause(case: Case, kind: str, now: datetime) -> None:
    """Keep the working days left (the pausing day counts as used), also of a limit waiting for the calendar."""
    timer = open_timer(case, kind)
    if timer is None or timer.status in ("paused", "breached"):  # a missed limit stays missed: no clock to stop
        return
    if timer.status == "unscheduled":  # its clock runs from paused_at; its end is in a year without data
        try:
            used = calendar.working_days_between(calendar.local_date(timer.paused_at), calendar.local_date(now))
        except calendar.CalendarDataMissing:  # today itself is in such a year: it keeps waiting as it is
            return
        timer.remaining_days = max((timer.remaining_days or 0) - used, 0)
    elif timer.due_on is None:
        return
    else:
        timer.remaining_days = deadlines.remaining_working_days(now, timer.due_on)
    timer.status, timer.paused_at, timer.next_fire_at = "paused", now, None


def resume(session: Session, case: Case, kind: str, now: datetime) -> None:
    timer = open_timer(case, kind)
    if timer is None or timer.status != "paused":
        return
    calendar_service.install_from(session)
    _plan(session, timer, now, timer.remaining_days or 0)


def timers_of(session: Session, case_id: int) -> list[Timer]:
    return list(session.scalars(select(Timer).where(Timer.case_id == case_id).order_by(Timer.id)))
