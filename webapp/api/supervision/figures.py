"""The supervision figures through the API: the dashboard's, and a department's own."""
from __future__ import annotations

import marshmallow as ma
from flask import g, url_for

from workflows.domain.errors import N_, InvalidInput
from workflows.domain.supervision import DEADLINE_STATUSES, chosen_period
from workflows.processes import DEFINITIONS
from workflows.services.casework import queries
from workflows.services.casework.actors import actor_for
from workflows.services.lists import catalogue
from workflows.services.supervision import dashboard as board
from workflows.store.base import utcnow

from ...extensions import db
from ...pages.common import case_rows, today
from ...pages.supervision_charts import case_filters, month_filters, owner_filters, period_args
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import CASES_DOC, SECURED, PeriodQuery, UrgingOut, bp, cases_url, supervisor


class DashboardQuery(PeriodQuery):
    process = ma.fields.String(load_default=None, validate=ma.validate.OneOf(sorted(DEFINITIONS)))
    department = ma.fields.String(load_default=None, metadata={"description": "a department's code"})


class FiguresPeriodOut(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)


class FigureCountOut(ma.Schema):
    count = ma.fields.Integer(required=True)
    cases = ma.fields.String(required=True, metadata={"description": CASES_DOC})


class StateCountOut(FigureCountOut):
    process = ma.fields.String(required=True)
    state = ma.fields.String(required=True)


class StatusCountOut(FigureCountOut):
    status = ma.fields.String(required=True, metadata={"description": "the worst open deadline's status: "
                                                                      + ", ".join(DEADLINE_STATUSES)})


class OwnerCasesOut(ma.Schema):
    overdue = ma.fields.String(required=True, metadata={"description": "its overdue cases now"})
    met = ma.fields.String(required=True, metadata={"description": "cases whose deadline it met in the period"})
    breached = ma.fields.String(required=True, metadata={"description": "cases whose deadline it missed in the period"})
    closed = ma.fields.String(allow_none=True, metadata={"description": "cases of the department closed in the period "
                                                                        "(none for the accepting office)"})


class OwnerOut(ma.Schema):
    key = ma.fields.String(required=True, metadata={"description": "the department's code, or accepting_office"})
    name = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    overdue_cases = ma.fields.Integer(required=True, metadata={"description": "now"})
    overdue_deadlines = ma.fields.Integer(required=True, metadata={"description": "now"})
    working_days_overdue = ma.fields.Integer(required=True, metadata={"description": "now, summed over its overdue "
                                                                                     "deadlines"})
    most_working_days_overdue = ma.fields.Integer(required=True, metadata={"description": "now, the longest"})
    met = ma.fields.Integer(required=True, metadata={"description": "deadlines met in the period"})
    breached = ma.fields.Integer(required=True, metadata={"description": "deadlines missed in the period"})
    compliance = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "met among met or missed, 0 to 1 (null when none was decided)"})
    closed_cases = ma.fields.Integer(required=True, metadata={"description": "cases closed in the period"})
    median_days = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "median handling time of those cases, in working days"})
    cases = ma.fields.Nested(OwnerCasesOut, required=True)


class TrendCasesOut(ma.Schema):
    opened = ma.fields.String(required=True)
    closed = ma.fields.String(required=True)
    met = ma.fields.String(required=True)
    breached = ma.fields.String(required=True)


class TrendMonthOut(ma.Schema):
    month = ma.fields.String(required=True, metadata={"description": "YYYY-MM"})
    opened = ma.fields.Integer(required=True)
    closed = ma.fields.Integer(required=True)
    met = ma.fields.Integer(required=True, metadata={"description": "deadlines met"})
    breached = ma.fields.Integer(required=True, metadata={"description": "deadlines missed"})
    compliance = ma.fields.Float(required=True, allow_none=True)
    cases = ma.fields.Nested(TrendCasesOut, required=True)


class NextDeadlineOut(ma.Schema):
    kind = ma.fields.String(required=True)
    due_on = ma.fields.Date(allow_none=True)
    status = ma.fields.String(required=True)
    working_days_left = ma.fields.Integer(allow_none=True, metadata={"description": "negative: working days overdue"})


class CaseRowOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    process = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    department = ma.fields.String(allow_none=True)
    subject_code = ma.fields.String(allow_none=True)
    filed_at = ma.fields.DateTime(required=True)
    deadline_status = ma.fields.String(required=True, metadata={"description": "its worst open deadline's status"})
    next_deadline = ma.fields.Nested(NextDeadlineOut, allow_none=True)


class OverdueOut(ma.Schema):
    total = ma.fields.Integer(required=True)
    shown = ma.fields.List(ma.fields.Nested(CaseRowOut), required=True,
                           metadata={"description": f"the latest {board.OVERDUE_SHOWN}"})
    cases = ma.fields.String(required=True, metadata={"description": CASES_DOC})


class UrgingCountsOut(ma.Schema):
    awaiting_reply = ma.fields.Integer(required=True)
    replied = ma.fields.Integer(required=True)


class TotalsOut(ma.Schema):
    met = ma.fields.Integer(required=True)
    breached = ma.fields.Integer(required=True)
    compliance = ma.fields.Float(required=True, allow_none=True)


class BacklogOut(ma.Schema):
    department = ma.fields.String(attribute="department.code", required=True)
    unconfirmed = ma.fields.Integer(required=True)
    overdue = ma.fields.Integer(required=True, metadata={"description": "past the day the confirmation was due"})
    oldest_due = ma.fields.Date(allow_none=True)
    instructions = ma.fields.Function(lambda b: url_for("api_instructions.index", status="overdue",
                                                        department=b.department.code))


class DashboardOut(ma.Schema):
    period = ma.fields.Nested(FiguresPeriodOut, required=True)
    process = ma.fields.String(allow_none=True)
    department = ma.fields.String(allow_none=True)
    now = ma.fields.DateTime(required=True)
    calendar_missing = ma.fields.List(ma.fields.Integer(), required=True, metadata={
        "description": "years without a working-day calendar: figures that need them are left out"})
    open_cases = ma.fields.Nested(FigureCountOut, required=True)
    open_by_state = ma.fields.List(ma.fields.Nested(StateCountOut), required=True)
    deadline_status = ma.fields.List(ma.fields.Nested(StatusCountOut), required=True,
                                     metadata={"description": "open cases by their worst open deadline, now"})
    urgings = ma.fields.Nested(UrgingCountsOut, required=True)
    period_totals = ma.fields.Nested(TotalsOut, required=True)
    departments = ma.fields.List(ma.fields.Nested(OwnerOut), required=True, metadata={
        "description": "each department and the accepting office, the latest first: breaches now (working days "
                       "overdue), compliance and median handling time in the period"})
    trend = ma.fields.List(ma.fields.Nested(TrendMonthOut), required=True,
                           metadata={"description": "the twelve months that end with the period"})
    overdue = ma.fields.Nested(OverdueOut, required=True)
    instructions = ma.fields.List(ma.fields.Nested(BacklogOut), required=True, metadata={
        "description": "instructions on measures not yet confirmed as carried out, by department, the most overdue "
                       "first; `instructions` lists them (GET), POST /api/v1/instructions/urge urges them"})


class OwnDepartmentOut(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)


class OwnView(ma.Schema):
    department = ma.fields.Nested(OwnDepartmentOut, required=True)
    period = ma.fields.Nested(FiguresPeriodOut, required=True)
    calendar_missing = ma.fields.List(ma.fields.Integer(), required=True)
    figures = ma.fields.Nested(OwnerOut, required=True)
    overdue = ma.fields.Nested(OverdueOut, required=True)
    awaiting_reply = ma.fields.List(ma.fields.Nested(UrgingOut), required=True,
                                    metadata={"description": "the urgings the department must answer"})


# --- the dashboard --------------------------------------------------------------------------------

def owner_json(owner: board.OwnerFigures, scope: dict, period: dict) -> dict:
    department = owner.department
    return {"key": owner.key, "name": department.name if department else "受理窗口",
            "name_en": department.name_en if department else "Accepting office",
            "overdue_cases": owner.overdue_cases, "overdue_deadlines": owner.overdue_deadlines,
            "working_days_overdue": owner.working_days_overdue,
            "most_working_days_overdue": owner.most_working_days_overdue, "met": owner.met,
            "breached": owner.breached, "compliance": owner.compliance, "closed_cases": owner.closed_cases,
            "median_days": owner.median_days,
            "cases": {figure: cases_url(filters) for figure, filters in owner_filters(owner, scope, period).items()}}


def overdue_json(page: queries.Page, filters: dict) -> dict:
    shown = [{"id": row.case.id, "process": row.case.process, "state": row.case.state,
              "department": row.case.department.code if row.case.department else None,
              "subject_code": row.case.subject.code if row.case.subject else None, "filed_at": row.case.filed_at,
              "deadline_status": row.status,
              "next_deadline": None if row.deadline is None else {
                  "kind": row.deadline.timer.kind, "due_on": row.deadline.timer.due_on, "status": row.deadline.status,
                  "working_days_left": row.deadline.working_days_left}}
             for row in case_rows(page.items)]
    return {"total": page.total, "shown": shown, "cases": cases_url(filters)}


@bp.route("/dashboard", methods=["GET"])
@bp.arguments(DashboardQuery, location="query")
@bp.response(200, DashboardOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A malformed or future period, an unknown department")
@bp.doc(**SECURED, description="The figures of the supervision page. *Now*: open cases by process and state, "
        "by their worst deadline's status, each department's breaches in working days overdue, the overdue cases. "
        "*Period* (default: this month to today): deadlines met and missed, compliance and median handling time "
        "(working days) by department; the 12-month trend. Every figure carries `cases`: the `GET /api/v1/cases` "
        "query that lists the cases behind it.")
@token_required
def dashboard(args):
    """The supervision dashboard (supervisors and administrators)."""
    actor = supervisor()
    period = chosen_period(args["start"], args["end"], today())
    chosen = None
    if args["department"]:
        chosen = next((d for d in catalogue.departments(db.session) if d.code == args["department"]), None)
        if chosen is None:
            raise InvalidInput(N_("no department with code '%(code)s'"), field="department", code=args["department"])
    filters = board.Filters(period, args["process"], chosen.id if chosen else None)
    data = board.dashboard(db.session, filters, utcnow())
    scope = {"process": filters.process, "department": chosen.code if chosen else None}
    # the same cases as the figure of overdue cases, at the same instant: counted once
    overdue = queries.list_cases(db.session, actor, deadline="overdue", per_page=board.OVERDUE_SHOWN,
                                 now=data.now, total=data.deadline_status["overdue"], **case_filters(scope))
    dates = period_args(period)
    return {
        "period": {"start": period.start, "end": period.end}, **scope, "now": data.now,
        "calendar_missing": data.calendar_missing,
        "open_cases": {"count": data.open_total, "cases": cases_url(case_filters(scope, dated="open"))},
        "open_by_state": [{"process": process, "state": state, "count": count,
                           "cases": cases_url(case_filters(scope, process=process, state=state))}
                          for process, state, count in data.open_by_state],
        "deadline_status": [{"status": status, "count": data.deadline_status.get(status, 0),
                             "cases": cases_url(case_filters(scope, deadline=status))} for status in DEADLINE_STATUSES],
        "urgings": data.urgings,
        "period_totals": {"met": data.met, "breached": data.breached, "compliance": data.compliance},
        "departments": [owner_json(owner, scope, dates) for owner in data.owners],
        "trend": [{"month": m.month.strftime("%Y-%m"), "opened": m.opened, "closed": m.closed, "met": m.met,
                   "breached": m.breached, "compliance": m.compliance,
                   "cases": {figure: cases_url(f) for figure, f in month_filters(scope, m.month).items()}}
                  for m in data.trend],
        "overdue": overdue_json(overdue, case_filters(scope, deadline="overdue")),
        "instructions": data.instructions,
    }


# --- a department's own figures -------------------------------------------------------------------

@bp.route("/department", methods=["GET"])
@bp.arguments(PeriodQuery, location="query")
@bp.response(200, OwnView)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="The caller belongs to no department")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A malformed or future period")
@bp.doc(**SECURED, description="The caller's department: its deadlines met and missed, compliance, cases closed "
        "and median handling time in the period (default: this month to today), its overdue cases now, the urgings "
        "it must answer. Each figure's `cases` lists the cases behind it.")
@token_required
def department(args):
    """A department's own figures (the department's staff)."""
    actor = actor_for(g.api_user)
    period = chosen_period(args["start"], args["end"], today())
    view = board.department_view(db.session, actor, period, utcnow())
    mine = view.department
    scope = {"department": mine.code}
    return {"department": {"code": mine.code, "name": mine.name, "name_en": mine.name_en},
            "period": {"start": period.start, "end": period.end}, "calendar_missing": view.figures.calendar_missing,
            "figures": owner_json(view.own, scope, period_args(period)),
            "overdue": overdue_json(view.overdue, case_filters(scope, deadline="overdue")),
            "awaiting_reply": view.waiting}
