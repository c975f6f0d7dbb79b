"""Monthly statistics of joint incentives and punishments (每月统计联合奖惩情况), per department and in total.

A month's report is generated once, on the first working day of the next month, and kept: its
figures never change afterwards, whatever arrives later. Any other period is computed on demand.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import String, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sla import calendar
from sla.calendar import day_start
from workflows.domain.errors import N_, NotFound
from workflows.domain.lists import ListKind
from workflows.domain.process import Actor
from workflows.domain.supervision import Period, compliance_rate, month_period, previous_month, weighted_median
from workflows.processes import DEFINITIONS
from workflows.services.admin import calendar as calendar_service
from workflows.services.casework import history
from workflows.services.lists import instructions
from workflows.services.supervision.dashboard import Filters, deadlines_in_period, handling_spans, next_day, owners_of
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.models import HistoryEntry, ListEntry, Measure
from workflows.store.supervision import MonthlyReport

MEASURE_ACTIONS = {"apply_measure": "applied", "suspend_measure": "suspended", "resume_measure": "resumed",
                   "restore_measure": "resumed", "stop_measure": "stopped"}
MEASURE_COLUMNS = ("applied", "suspended", "resumed", "stopped")
CARRIED_OUT = {"apply": "applied", "suspend": "suspended", "resume": "resumed", "stop": "stopped"}
PROCESS = "reports"  # the outbox process of a kept report's own event: its push to the platform
LISTS = tuple(kind.value for kind in ListKind)
SCHEDULER = Actor.system("scheduler")


def _empty_row(code: str, name: str, name_en: str, processes: list[str]) -> dict:
    return {"code": code, "name": name, "name_en": name_en,
            "measures": {kind: dict.fromkeys(MEASURE_COLUMNS, 0) for kind in LISTS},
            "cases": {process: {"opened": 0, "closed": 0} for process in processes},
            "deadlines": {"met": 0, "breached": 0, "compliance": None},
            "handling": {"closed": 0, "median_days": None},
            # the instructions confirmed as carried out in the period (执行反馈), and those still unconfirmed at its end
            "carried_out": {kind: dict.fromkeys(MEASURE_COLUMNS, 0) for kind in LISTS},
            "unconfirmed": 0}


def figures(session: Session, period: Period) -> dict:
    """Every figure of the period as plain JSON values (what a kept report stores)."""
    calendar_service.install_from(session)
    start, end = day_start(period.start), day_start(next_day(period.end))
    processes = sorted(set(DEFINITIONS) | set(session.scalars(select(Case.process).distinct())))
    owners = owners_of(session)
    rows: dict = {}
    for key, owner in owners.items():
        if owner.department is not None:
            rows[key] = _empty_row(owner.key, owner.department.name, owner.department.name_en, processes)
    rows["accepting_office"] = _empty_row("accepting_office", "受理窗口", "Accepting office", processes)
    _count_measures(session, start, end, rows)
    _count_cases(session, start, end, rows)
    _count_carried_out(session, period, end, rows)
    deadlines_in_period(session, Filters(period), owners)
    for key, owner in owners.items():
        if key in rows:
            rows[key]["deadlines"] = {"met": owner.met, "breached": owner.breached,
                                      "compliance": compliance_rate(owner.met, owner.breached)}
    spans, missing = handling_spans(session, period, Case.department_id)
    for key, pairs in spans.items():
        if key in rows:
            rows[key]["handling"] = {"closed": sum(n for _, n in pairs), "median_days": weighted_median(pairs)}
    total = _empty_row("total", "合计", "Total", processes)
    for row in rows.values():
        _add_into(total, row)
    every = [pair for pairs in spans.values() for pair in pairs]
    total["handling"] = {"closed": sum(n for _, n in every), "median_days": weighted_median(every)}
    total["deadlines"]["compliance"] = compliance_rate(total["deadlines"]["met"], total["deadlines"]["breached"])
    return {"period": {"start": period.start.isoformat(), "end": period.end.isoformat()}, "processes": processes,
            "lists": list(LISTS), "departments": list(rows.values()), "total": total,
            "calendar_missing": sorted(missing)}


def _count_measures(session: Session, start: datetime, end: datetime, rows: dict) -> None:
    # history.entity_id is text: compare it with the measure's id as text (a cast the other way could fail)
    query = (select(Measure.department_id, ListEntry.list_kind, HistoryEntry.action, func.count())
             .select_from(HistoryEntry)
             .join(Measure, HistoryEntry.entity_id == cast(Measure.id, String))
             .join(ListEntry, ListEntry.id == Measure.list_entry_id)
             .where(HistoryEntry.action.in_(MEASURE_ACTIONS), HistoryEntry.entity_type == "measure",
                    HistoryEntry.at >= start, HistoryEntry.at < end)
             .group_by(Measure.department_id, ListEntry.list_kind, HistoryEntry.action))
    for department_id, kind, action, count in session.execute(query):
        if department_id in rows and kind in LISTS:
            rows[department_id]["measures"][kind][MEASURE_ACTIONS[action]] += count


def _count_carried_out(session: Session, period: Period, end: datetime, rows: dict) -> None:
    for department_id, kind, instruction, count in instructions.carried_out(session, period.start, period.end):
        if department_id in rows and kind in LISTS:
            rows[department_id]["carried_out"][kind][CARRIED_OUT[instruction]] += count
    for department_id, count in instructions.unconfirmed_at(session, end):
        if department_id in rows:
            rows[department_id]["unconfirmed"] += count


def _count_cases(session: Session, start: datetime, end: datetime, rows: dict) -> None:
    for column, what in ((Case.filed_at, "opened"), (Case.closed_at, "closed")):
        query = (select(Case.department_id, Case.process, func.count()).where(column >= start, column < end)
                 .group_by(Case.department_id, Case.process))
        for department_id, process, count in session.execute(query):
            row = rows.get(department_id)
            if row is not None:
                row["cases"].setdefault(process, {"opened": 0, "closed": 0})[what] += count


def _add_into(total: dict, row: dict) -> None:
    for block in ("measures", "carried_out"):
        for kind, counts in row[block].items():
            for column, value in counts.items():
                total[block][kind][column] += value
    total["unconfirmed"] += row["unconfirmed"]
    for process, counts in row["cases"].items():
        for column, value in counts.items():
            total["cases"].setdefault(process, {"opened": 0, "closed": 0})[column] += value
    for column in ("met", "breached"):
        total["deadlines"][column] += row["deadlines"][column]


# --- kept month reports -----------------------------------------------------------------------------

def stored(session: Session, month: str) -> MonthlyReport | None:
    return session.scalar(select(MonthlyReport).where(MonthlyReport.month == month))


def get(session: Session, month: str, today: date) -> MonthlyReport:
    month_period(month, today)  # a malformed or future month is an input error, not a missing report
    report = stored(session, month)
    if report is None:
        raise NotFound(N_("the report for %(month)s has not been generated yet: it is generated on the first "
                          "working day of the next month"), field="month", month=month)
    return report


def generate(session: Session, month: str, today: date, actor: Actor = SCHEDULER) -> MonthlyReport:
    """The month's kept report, generated now if it does not exist; an existing one is never changed."""
    period = month_period(month, today)
    existing = stored(session, month)
    if existing is not None:
        return existing
    report = MonthlyReport(month=month, period_start=period.start, period_end=period.end,
                           figures=figures(session, period), generated_at=utcnow(), generated_by=actor.label)
    try:
        with session.begin_nested():  # another scheduler may generate it at the same moment: the first one wins
            session.add(report)
            session.flush()
    except IntegrityError:
        return stored(session, month)
    now = utcnow()
    event = OutboxEvent(process=PROCESS, kind="monthly_report", payload={"month": month}, available_at=now,
                        created_at=now)  # the kept figures go to the platform (Z V(1))
    session.add(event)
    session.flush()
    history.record(session, actor=actor, action="generate_report", entity_type="monthly_report", entity_id=month,
                   data={"start": period.start.isoformat(), "end": period.end.isoformat(), "event_id": event.id})
    return report


def first_working_day(day: date) -> date:
    """The first working day of `day`'s month."""
    return calendar.add_working_days(day.replace(day=1) - timedelta(days=1), 1)


def generate_due(session: Session, today: date) -> MonthlyReport | None:
    """From the first working day of a month on, the previous month's report exists (the scheduler's job)."""
    calendar_service.install_from(session)
    if today < first_working_day(today):
        return None
    return generate(session, previous_month(today), today)


def kept_months(session: Session) -> list[MonthlyReport]:
    return list(session.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc())))
