"""The supervisor's dashboard (督办): every figure an aggregate query, never cases loaded into Python.

"Now" figures (open cases, deadline status, breaches) describe the present; "period" figures
(compliance, handling time) the cases and deadlines that ended in the chosen period; the trend the
twelve months that end with the period. Working days come from the calendar, applied to aggregated
rows: breaches grouped by their due day, handling times grouped by (filed day, closed day).
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Date, and_, bindparam, case, cast, func, select, tuple_
from sqlalchemy.orm import Session

from sla import calendar, deadlines
from workflows.domain.errors import RoleNotAllowed
from workflows.domain.process import Actor
from workflows.domain.roles import DEPARTMENT_ROLES, Role
from workflows.domain.supervision import (
    URGING_DEADLINE,
    Period,
    compliance_rate,
    months_ending,
    next_month,
    weighted_median,
)
from workflows.services.admin import calendar as calendar_service
from workflows.services.casework import queries
from workflows.services.lists import instructions
from workflows.services.supervision import urging
from workflows.services.supervision.deadline_filters import SEVERITY_NAMES, day_start, severity, timer_status
from workflows.store.cases import Case, Timer
from workflows.store.models import Department
from workflows.store.supervision import Urging

OPEN_TIMER = ("pending", "warned", "paused", "breached")
TREND_MONTHS = 12
OVERDUE_SHOWN = 50  # the overdue cases listed with the figures; the case list has them all


@dataclass(frozen=True)
class Filters:
    period: Period
    process: str | None = None
    department_id: int | None = None

    def on_cases(self) -> list:
        return [*([Case.process == self.process] if self.process else []),
                *([Case.department_id == self.department_id] if self.department_id else [])]


@dataclass
class OwnerFigures:
    """One unit responsible for deadlines: a department, or the accepting office (its key)."""

    key: str  # department code, or "accepting_office"
    department: Department | None
    overdue_cases: int = 0
    overdue_deadlines: int = 0
    working_days_overdue: int = 0  # summed over its overdue deadlines
    most_working_days_overdue: int = 0
    met: int = 0
    breached: int = 0
    closed_cases: int = 0
    median_days: float | None = None

    @property
    def compliance(self) -> float | None:
        return compliance_rate(self.met, self.breached)


@dataclass
class TrendMonth:
    month: date
    opened: int = 0
    closed: int = 0
    met: int = 0
    breached: int = 0

    @property
    def compliance(self) -> float | None:
        return compliance_rate(self.met, self.breached)


@dataclass
class Dashboard:
    filters: Filters
    now: datetime
    open_by_state: list[tuple[str, str, int]]
    deadline_status: dict[str, int]
    owners: list[OwnerFigures]
    trend: list[TrendMonth]
    urgings: dict[str, int]
    calendar_missing: list[int] = field(default_factory=list)
    instructions: list[instructions.DepartmentBacklog] = field(default_factory=list)  # unconfirmed, by department

    @property
    def open_total(self) -> int:
        return sum(n for *_, n in self.open_by_state)

    @property
    def met(self) -> int:
        return sum(o.met for o in self.owners)

    @property
    def breached(self) -> int:
        return sum(o.breached for o in self.owners)

    @property
    def compliance(self) -> float | None:
        return compliance_rate(self.met, self.breached)


def dashboard(session: Session, filters: Filters, now: datetime) -> Dashboard:
    calendar_service.install_from(session)
    owners = owners_of(session)
    missing: set[int] = set()
    _overdue_now(session, filters, now, owners, missing)
    deadlines_in_period(session, filters, owners)
    handling_times(session, filters, owners, missing)
    shown = [o for o in owners.values()
             if not filters.department_id or (o.department and o.department.id == filters.department_id)]
    return Dashboard(filters, now, _open_by_state(session, filters), _deadline_status(session, filters, now),
                     sorted(shown, key=_slowest_first), _trend(session, filters), _urgings(session, filters),
                     sorted(missing), instructions.backlog(session, calendar.local_date(now), filters.department_id))


@dataclass
class DepartmentView:
    """What a department sees of its own deadlines (its figures, its overdue cases, the urgings it must answer)."""

    department: Department
    figures: Dashboard
    own: OwnerFigures
    overdue: queries.Page
    waiting: list[Urging]


def department_view(session: Session, actor: Actor, period: Period, now: datetime) -> DepartmentView:
    if actor.department_id is None or not actor.roles & (DEPARTMENT_ROLES | {Role.ACCEPTING_OFFICE}):
        raise RoleNotAllowed("only a department sees its own figures: the caller belongs to none")
    department = session.get(Department, actor.department_id)
    figures = dashboard(session, Filters(period, department_id=department.id), now)
    own = next((o for o in figures.owners if o.department and o.department.id == department.id), None)
    overdue = queries.list_cases(session, actor, deadline="overdue", department=department.code,
                                 per_page=OVERDUE_SHOWN)
    return DepartmentView(department, figures, own or OwnerFigures(department.code, department), overdue,
                          urging.awaiting_reply(session, department.id))


def _slowest_first(owner: OwnerFigures):
    rate = owner.compliance
    return (-owner.working_days_overdue, 2 if rate is None else rate, owner.key)


def owners_of(session: Session) -> dict:
    owners = {"accepting_office": OwnerFigures("accepting_office", None)}
    for department in session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code)):
        owners[department.id] = OwnerFigures(department.code, department)
    return owners


def _owner(owners: dict, owner: str, department_id: int | None) -> OwnerFigures | None:
    if owner == "department":
        return owners.get(department_id)
    return owners["accepting_office"] if owner == "accepting_office" else None


def _open_by_state(session: Session, filters: Filters) -> list[tuple[str, str, int]]:
    query = (select(Case.process, Case.state, func.count()).where(Case.closed_at.is_(None), *filters.on_cases())
             .group_by(Case.process, Case.state).order_by(Case.process, Case.state))
    return [tuple(row) for row in session.execute(query)]


def _deadline_status(session: Session, filters: Filters, now: datetime) -> dict[str, int]:
    """Open cases by their worst open deadline."""
    worst = (select(Timer.case_id, func.max(severity(now)).label("worst"))
             .where(Timer.status.in_(OPEN_TIMER), Timer.ended_at.is_(None), Timer.case_id.is_not(None))
             .group_by(Timer.case_id).subquery())
    query = (select(worst.c.worst, func.count()).join(Case, Case.id == worst.c.case_id)
             .where(Case.closed_at.is_(None), *filters.on_cases()).group_by(worst.c.worst))
    counts = {name: 0 for name in SEVERITY_NAMES.values()}
    for level, count in session.execute(query):
        counts[SEVERITY_NAMES[level]] = count
    return counts


def _overdue_now(session: Session, filters: Filters, now: datetime, owners: dict, missing: set[int]) -> None:
    overdue = and_(timer_status("overdue", now), Timer.kind != URGING_DEADLINE, Case.closed_at.is_(None),
                   *filters.on_cases())
    by_due_day, cases = _overdue_counts(session, overdue)
    for owner, department_id, due_on, count in by_due_day:
        figures = _owner(owners, owner, department_id)
        if figures is None or due_on is None:
            continue
        try:
            days = deadlines.working_days_overdue(now, due_on)
        except calendar.CalendarDataMissing as error:
            missing.add(error.year)
            continue
        figures.overdue_deadlines += count
        figures.working_days_overdue += days * count
        figures.most_working_days_overdue = max(figures.most_working_days_overdue, days)
    for owner, department_id, count in cases:
        if (figures := _owner(owners, owner, department_id)) is not None:
            figures.overdue_cases = count


def _overdue_counts(session: Session, overdue) -> tuple[list, list]:
    """The overdue deadlines per (owner, department, due day), and the cases they hold up per (owner, department).

    On PostgreSQL both come from one pass over the open deadlines (GROUPING SETS); SQLite has none, so it reads
    them twice."""
    owner = (Timer.owner, Timer.department_id)
    if session.get_bind().dialect.name != "postgresql":
        by_due_day = (select(*owner, Timer.due_on, func.count()).join(Case, Case.id == Timer.case_id).where(overdue)
                      .group_by(*owner, Timer.due_on))
        cases = (select(*owner, func.count(func.distinct(Timer.case_id))).join(Case, Case.id == Timer.case_id)
                 .where(overdue).group_by(*owner))
        return list(session.execute(by_due_day)), list(session.execute(cases))
    query = (select(*owner, Timer.due_on, func.grouping(Timer.due_on), func.count(),
                    func.count(func.distinct(Timer.case_id)))
             .join(Case, Case.id == Timer.case_id).where(overdue)
             .group_by(func.grouping_sets(tuple_(*owner, Timer.due_on), tuple_(*owner))))
    by_due_day, cases = [], []
    for owner_, department_id, due_on, whole_owner, count, distinct_cases in session.execute(query):
        if whole_owner:
            cases.append((owner_, department_id, distinct_cases))
        else:
            by_due_day.append((owner_, department_id, due_on, count))
    return by_due_day, cases


def deadlines_in_period(session: Session, filters: Filters, owners: dict) -> None:
    start, end = day_start(filters.period.start), day_start(next_day(filters.period.end))
    on_cases = filters.on_cases()
    legal = [Timer.kind != URGING_DEADLINE, *on_cases]

    def counted(*where):
        query = select(Timer.owner, Timer.department_id, func.count())
        # a case's deadline (the foreign key holds: cases are never deleted); its row is read only to filter by it
        query = query.join(Case, Case.id == Timer.case_id) if on_cases else query.where(Timer.case_id.is_not(None))
        return query.where(*where, *legal).group_by(Timer.owner, Timer.department_id)

    met = counted(Timer.status == "met", Timer.ended_at >= start, Timer.ended_at < end)
    breached = counted(Timer.breached_at >= start, Timer.breached_at < end)
    for query, attribute in ((met, "met"), (breached, "breached")):
        for owner, department_id, count in session.execute(query):
            if (figures := _owner(owners, owner, department_id)) is not None:
                setattr(figures, attribute, count)


def local_day(session: Session, column):
    """The Asia/Shanghai date of a stored instant, in SQL (UTC+8 all year: no daylight saving since 1991)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def handling_spans(session: Session, period: Period, group, *where) -> tuple[dict[object, list], set[int]]:
    """Per group, the working days from filing to closing of the cases closed in the period, as
    (working days, how many cases) pairs; and the years the calendar has no data for.

    Reads (group, filed day, closed day, how many) rows: few, whatever the number of cases.
    """
    start, end = day_start(period.start), day_start(next_day(period.end))
    filed, closed = local_day(session, Case.filed_at), local_day(session, Case.closed_at)
    query = (select(group, filed, closed, func.count()).where(Case.closed_at >= start, Case.closed_at < end, *where)
             .group_by(group, filed, closed))
    spans: dict = defaultdict(list)
    missing: set[int] = set()
    for key, filed_on, closed_on, count in session.execute(query):
        try:
            days = calendar.working_days_between(as_date(filed_on), as_date(closed_on))
        except calendar.CalendarDataMissing as error:
            missing.add(error.year)
            continue
        spans[key].append((days, count))
    return spans, missing


def handling_times(session: Session, filters: Filters, owners: dict, missing: set[int]) -> list:
    """Cases closed and the median handling time per department; returns every (days, count) pair."""
    spans, years = handling_spans(session, filters.period, Case.department_id, *filters.on_cases())
    missing |= years
    for department_id, pairs in spans.items():
        if (figures := owners.get(department_id)) is not None:
            figures.closed_cases, figures.median_days = sum(n for _, n in pairs), weighted_median(pairs)
    return [pair for pairs in spans.values() for pair in pairs]


@functools.cache
def _monthly_counts_statement(series: str, months: int):
    """Per month, how many rows fall in it: a count of its own per month, each a range of the column's index read
    without evaluating anything per row, all in one statement; built once, the bounds bound as parameters."""
    column, where = {
        "opened": (Case.filed_at, []),
        "closed": (Case.closed_at, []),
        "met": (Timer.ended_at, [Timer.status == "met", Timer.kind != URGING_DEADLINE]),
        "breached": (Timer.breached_at, [Timer.kind != URGING_DEADLINE]),
    }[series]
    bounds = [bindparam(f"bound_{i}", type_=column.type) for i in range(months + 1)]
    return select(*(select(func.count()).where(column >= low, column < high, *where).scalar_subquery()
                    for low, high in zip(bounds, bounds[1:])))


def _monthly_counts(session: Session, series: str, bounds: list[datetime]) -> list[int]:
    statement = _monthly_counts_statement(series, len(bounds) - 1)
    row = session.execute(statement, {f"bound_{i}": bound for i, bound in enumerate(bounds)}).one()
    return [int(value or 0) for value in row]


def _monthly_sums(session: Session, column, bounds: list[datetime], *where) -> list[int]:
    """The same counts in one pass over the whole range: for rows that a filter must read one by one anyway."""
    sums = [func.sum(case((and_(column >= low, column < high), 1), else_=0)) for low, high in zip(bounds, bounds[1:])]
    row = session.execute(select(*sums).where(column >= bounds[0], column < bounds[-1], *where)).one()
    return [int(value or 0) for value in row]


def _trend(session: Session, filters: Filters) -> list[TrendMonth]:
    firsts = months_ending(filters.period.end, TREND_MONTHS)
    bounds = [day_start(d) for d in firsts] + [day_start(next_month(firsts[-1]))]
    where = filters.on_cases()
    if not where:
        columns = {series: _monthly_counts(session, series, bounds) for series in ("opened", "closed", "met",
                                                                                   "breached")}
    else:
        # filtered by a case's process or department, each row is read from the table (or its case looked up), not
        # from an index alone: one pass over the year reads each once, where twelve counts would read it twelve times
        timer_where = [Timer.kind != URGING_DEADLINE, Timer.case_id.in_(select(Case.id).where(*where))]
        columns = {
            "opened": _monthly_sums(session, Case.filed_at, bounds, *where),
            "closed": _monthly_sums(session, Case.closed_at, bounds, *where),
            "met": _monthly_sums(session, Timer.ended_at, bounds, Timer.status == "met", *timer_where),
            "breached": _monthly_sums(session, Timer.breached_at, bounds, *timer_where),
        }
    return [TrendMonth(first, **{name: values[i] for name, values in columns.items()}) for i, first in enumerate(firsts)]


def _urgings(session: Session, filters: Filters) -> dict[str, int]:
    query = (select(Urging.replied_at.is_(None), func.count()).join(Case, Case.id == Urging.case_id)
             .where(*filters.on_cases()).group_by(Urging.replied_at.is_(None)))
    counts = {"awaiting_reply": 0, "replied": 0}
    for waiting, count in session.execute(query):
        counts["awaiting_reply" if waiting else "replied"] = count
    return counts


def next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)
