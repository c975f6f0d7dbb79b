"""WHERE clauses on cases by their deadlines and dates, shared by the supervision dashboard's aggregates
and the case list its figures link to, so a figure and the list behind it count the same cases.

A deadline's status "now" is read from its stored instants, not only from the sweep's last pass:
overdue from `due_at` on (or once breached), due soon from `warn_at` on, else on track; paused while paused.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, exists, false, or_, select
from sqlalchemy.sql import ColumnElement

from sla.calendar import day_end_exclusive, day_start
from workflows.domain.errors import N_, InvalidInput
from workflows.domain.supervision import DEADLINE_STATUSES, URGING_DEADLINE, check_day
from workflows.store.cases import Case, Timer
from workflows.store.models import Department
from workflows.store.supervision import Urging

RUNNING = ("pending", "warned")
DATED = ("filed", "open", "closed", "breached", "met")  # "open": still open, filed in the range
OWNERS = ("accepting_office", "applicant")  # a deadline owner that is no department


def timer_status(status: str, now: datetime) -> ColumnElement:
    """One deadline's status now."""
    # every branch says `ended_at IS NULL` (true of any running timer): the partial index of open timers serves it
    open_ = Timer.ended_at.is_(None)
    if status == "overdue":
        # a breached deadline whose step was done late (ended) no longer makes the case overdue
        return and_(open_, or_(Timer.status == "breached", and_(Timer.status.in_(RUNNING), Timer.due_at <= now)))
    if status == "due_soon":
        return and_(open_, Timer.status.in_(RUNNING), Timer.warn_at <= now, Timer.due_at > now)
    if status == "on_track":
        return and_(open_, Timer.status.in_(RUNNING), Timer.warn_at > now)
    if status == "paused":
        return and_(open_, Timer.status == "paused")
    raise InvalidInput(N_("unknown deadline status '%(value)s'; one of: %(allowed)s"), field="deadline", value=status,
                       allowed=", ".join(DEADLINE_STATUSES))


def severity(now: datetime) -> ColumnElement:
    """An open deadline's status as a number, worst highest: 4 overdue, 3 due soon, 2 on track, 1 paused.

    For rows already restricted to open deadlines (`ended_at IS NULL`): the same branches as `timer_status`
    without that test, so that the partial index of open timers answers the query alone (an index-only scan)."""
    overdue = or_(Timer.status == "breached", and_(Timer.status.in_(RUNNING), Timer.due_at <= now))
    due_soon = and_(Timer.status.in_(RUNNING), Timer.warn_at <= now, Timer.due_at > now)
    on_track = and_(Timer.status.in_(RUNNING), Timer.warn_at > now)
    return case((overdue, 4), (due_soon, 3), (on_track, 2), else_=1)


SEVERITY_NAMES = {4: "overdue", 3: "due_soon", 2: "on_track", 1: "paused"}


def _has(*conditions) -> ColumnElement:
    return exists().where(Timer.case_id == Case.id, *conditions)


def worst_status(status: str, now: datetime) -> ColumnElement:
    """Open cases whose worst open deadline has this status (the dashboard's deadline status figures)."""
    position = DEADLINE_STATUSES.index(status) if status in DEADLINE_STATUSES else None
    clause = and_(Case.closed_at.is_(None), _has(timer_status(status, now)))
    for worse in DEADLINE_STATUSES[:position]:
        clause = and_(clause, ~_has(timer_status(worse, now)))
    return clause


def owner_of_timer(owner: str) -> ColumnElement:
    """A legal deadline owned by a department (by code), the accepting office or the applicant."""
    legal = Timer.kind != URGING_DEADLINE
    if owner in OWNERS:
        return and_(legal, Timer.owner == owner)
    department = select(Department.id).where(Department.code == owner).scalar_subquery()
    return and_(legal, Timer.owner == "department", Timer.department_id == department)


def _between(column, start: datetime | None, end: datetime | None) -> list[ColumnElement]:
    return [*([column >= start] if start else []), *([column < end] if end else [])]


def dated_timer(dated: str, start: datetime | None, end: datetime | None) -> ColumnElement:
    """A legal deadline breached, or met, between two instants (None: open-ended)."""
    legal = Timer.kind != URGING_DEADLINE
    if dated == "breached":
        return and_(legal, Timer.breached_at.is_not(None), *_between(Timer.breached_at, start, end))
    return and_(legal, Timer.status == "met", *_between(Timer.ended_at, start, end))


def case_filters(*, deadline: str | None = None, deadline_owner: str | None = None, dated: str | None = None,
                 date_from: date | None = None, date_to: date | None = None,
                 now: datetime) -> list[ColumnElement]:
    """The clauses for the case list's supervision filters; empty when none is given."""
    clauses: list[ColumnElement] = []
    if dated and dated not in DATED:
        raise InvalidInput(N_("unknown date filter '%(value)s'; one of: %(allowed)s"), field="dated", value=dated,
                           allowed=", ".join(DATED))
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day is not None:
            check_day(day, name)
    if date_from and date_to and date_to < date_from:
        raise InvalidInput("the period ends before it starts", field="date_to")
    start = day_start(date_from) if date_from else None
    end = day_end_exclusive(date_to) if date_to else None
    if deadline:
        clauses.append(worst_status(deadline, now))
    timer_conditions = []
    if deadline_owner:
        timer_conditions.append(owner_of_timer(deadline_owner))
        if deadline:  # the owner's deadline is the one in that status
            timer_conditions.append(timer_status(deadline, now))
    if dated in ("breached", "met"):
        timer_conditions.append(dated_timer(dated, start, end))
    elif dated == "closed":
        clauses += _between(Case.closed_at, start, end) or [Case.closed_at.is_not(None)]
    else:
        if dated == "open":
            clauses.append(Case.closed_at.is_(None))
        clauses += _between(Case.filed_at, start, end)
    if timer_conditions:
        clauses.append(_has(*timer_conditions))
    return clauses


def awaiting_reply(department_id: int | None) -> ColumnElement:
    """Cases on which this department owes a supervisor a reply to an urging (its inbox shows them)."""
    if department_id is None:
        return false()
    return exists().where(Urging.case_id == Case.id, Urging.department_id == department_id,
                          Urging.replied_at.is_(None))
