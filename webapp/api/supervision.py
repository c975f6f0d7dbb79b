"""Supervision through the API: the dashboard's figures, urging and replies, a department's own figures, the
monthly reports. The same services as the supervision pages."""
from __future__ import annotations

import marshmallow as ma
from flask import g, url_for
from flask_smorest import Blueprint

from workflows.domain.errors import InvalidInput, RoleNotAllowed
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.domain.supervision import DEADLINE_STATUSES, chosen_period, month_period
from workflows.processes import DEFINITIONS
from workflows.services import catalogue, monthly, queries
from workflows.services import supervision as board
from workflows.services import urging as urging_service
from workflows.services.actors import actor_for
from workflows.store.base import utcnow

from ..extensions import db
from ..pages.common import case_rows, send_statistics, statistics_title, today
from ..pages.supervision_charts import case_filters, month_filters, owner_filters, period_args
from .v1 import ERROR_SCHEMA, token_required

bp = Blueprint("api_supervision", __name__, url_prefix="/api/v1/supervision",
               description="Supervision (督办): figures, urging, monthly reports")
SECURED = {"security": [{"bearerAuth": []}]}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASES_DOC = "`GET` this to list the cases behind the figure (`/api/v1/cases` with the figure's filters)"


def supervisor() -> Actor:
    """The caller, who must be a supervisor or an administrator (as for the supervision pages)."""
    actor = actor_for(g.api_user)
    if not actor.roles & {Role.SUPERVISOR, Role.ADMINISTRATOR}:
        raise RoleNotAllowed("only supervisors and administrators may read the supervision figures and reports")
    return actor


def cases_url(filters: dict | None) -> str | None:
    return None if filters is None else url_for("api_cases.index", **filters)


# --- schemas --------------------------------------------------------------------------------------

class PeriodQuery(ma.Schema):
    start = ma.fields.Date(load_default=None, metadata={"description": "first day (default: the first of `end`'s "
                                                                      "month); not in the future"})
    end = ma.fields.Date(load_default=None, metadata={"description": "last day (default: today)"})


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


class OwnDepartmentOut(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)


class UrgingOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    case_id = ma.fields.Integer(required=True)
    process = ma.fields.String(attribute="case.process")
    department = ma.fields.String(attribute="department.code", required=True)
    message = ma.fields.String(required=True)
    reply_by = ma.fields.Date(required=True)
    urged_by = ma.fields.String(attribute="urged_by_label")
    urged_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={"description": "open, late, replied, replied_late"})
    reply = ma.fields.String()
    replied_by = ma.fields.String(attribute="replied_by_label")
    replied_at = ma.fields.DateTime(allow_none=True)


class OwnView(ma.Schema):
    department = ma.fields.Nested(OwnDepartmentOut, required=True)
    period = ma.fields.Nested(FiguresPeriodOut, required=True)
    calendar_missing = ma.fields.List(ma.fields.Integer(), required=True)
    figures = ma.fields.Nested(OwnerOut, required=True)
    overdue = ma.fields.Nested(OverdueOut, required=True)
    awaiting_reply = ma.fields.List(ma.fields.Nested(UrgingOut), required=True,
                                    metadata={"description": "the urgings the department must answer"})


class UrgeIn(ma.Schema):
    case_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1)), required=True,
                              metadata={"description": f"at most {urging_service.MAX_CASES}; all or none"})
    message = ma.fields.String(required=True, metadata={"description": "what the department must do (4 characters "
                                                                       "or more)"})
    reply_by = ma.fields.Date(load_default=None, metadata={"description": "a day after today (default: the setting "
                                                                         "supervision.reply_days in working days)"})
    department = ma.fields.String(load_default=None, metadata={
        "description": "the department urged (its code; default: the department concerned by each case)"})


class UrgingsQuery(ma.Schema):
    replied = ma.fields.Boolean(load_default=False, metadata={"description": "the answered urgings instead of those "
                                                                            "awaiting a reply"})


class ReplyIn(ma.Schema):
    reply = ma.fields.String(required=True)


class MonthIn(ma.Schema):
    month = ma.fields.String(required=True, metadata={"description": "YYYY-MM, a month that has ended"})


class FiguresRowOut(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "a department's code, accepting_office or total"})
    name = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    measures = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(keys=ma.fields.String(),
                                                                            values=ma.fields.Integer()),
                              metadata={"description": "per list: measures applied, suspended, resumed, stopped"})
    cases = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(keys=ma.fields.String(),
                                                                         values=ma.fields.Integer()),
                           metadata={"description": "per process: cases opened, closed"})
    deadlines = ma.fields.Dict(metadata={"description": "met, breached, compliance (0 to 1, or null)"})
    handling = ma.fields.Dict(metadata={"description": "closed, median_days (working days, or null)"})


class FiguresSpanOut(ma.Schema):
    """The figures' period as stored (ISO days)."""

    start = ma.fields.String(required=True, metadata={"format": "date"})
    end = ma.fields.String(required=True, metadata={"format": "date"})


class FiguresOut(ma.Schema):
    period = ma.fields.Nested(FiguresSpanOut, required=True)
    processes = ma.fields.List(ma.fields.String(), required=True)
    lists = ma.fields.List(ma.fields.String(), required=True)
    departments = ma.fields.List(ma.fields.Nested(FiguresRowOut), required=True)
    total = ma.fields.Nested(FiguresRowOut, required=True)
    calendar_missing = ma.fields.List(ma.fields.Integer(), required=True)


class ReportSummaryOut(ma.Schema):
    month = ma.fields.String(required=True)
    start = ma.fields.Date(attribute="period_start", required=True)
    end = ma.fields.Date(attribute="period_end", required=True)
    generated_at = ma.fields.DateTime(required=True)
    generated_by = ma.fields.String(required=True)


class ReportOut(ReportSummaryOut):
    figures = ma.fields.Nested(FiguresOut, required=True)


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
            raise InvalidInput(f"no department with code '{args['department']}'", field="department")
    filters = board.Filters(period, args["process"], chosen.id if chosen else None)
    data = board.dashboard(db.session, filters, utcnow())
    scope = {"process": filters.process, "department": chosen.code if chosen else None}
    overdue = queries.list_cases(db.session, actor, deadline="overdue", per_page=board.OVERDUE_SHOWN,
                                 **case_filters(scope))
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


# --- urging ---------------------------------------------------------------------------------------

@bp.route("/urgings", methods=["POST"])
@bp.arguments(UrgeIn)
@bp.response(201, UrgingOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such case or department")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="A case is closed")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No case, too short a message, a reply-by day not after "
                 "today, a case with no department concerned")
@bp.doc(**SECURED, description="One urging per case, each with its reply-by deadline (a working-day timer that "
        "warns, breaches and escalates); the department is told, and the urging is in the case's history. All or "
        "none.")
@token_required
def urge(body):
    """Urge departments on cases (supervisors)."""
    urgings = urging_service.urge(db.session, body["case_ids"], actor_for(g.api_user), body["message"],
                                  body["reply_by"], department_code=body["department"] or None)
    db.session.commit()
    return urgings


@bp.route("/urgings", methods=["GET"])
@bp.arguments(UrgingsQuery, location="query")
@bp.response(200, UrgingOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Neither supervision nor a department")
@bp.doc(**SECURED, description="The latest 200 urgings awaiting a reply (or, with `replied=true`, answered), "
        "newest first: all of them for supervisors and administrators, its own for a department.")
@token_required
def urgings(args):
    """Urgings (supervisors and administrators: all; a department: those addressed to it)."""
    return urging_service.urgings_for(db.session, actor_for(g.api_user), waiting=not args["replied"])


@bp.route("/urgings/<int:urging_id>/reply", methods=["POST"])
@bp.arguments(ReplyIn)
@bp.response(200, UrgingOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not the urged department")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such urging")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="Answered already")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No reply written")
@bp.doc(**SECURED, description="Ends the reply-by deadline (met, or late if it had passed); the supervisor who "
        "urged is told.")
@token_required
def reply(body, urging_id: int):
    """Answer an urging (the urged department)."""
    urging = urging_service.reply(db.session, urging_id, actor_for(g.api_user), body["reply"])
    db.session.commit()
    return urging


# --- monthly reports ------------------------------------------------------------------------------

@bp.route("/reports", methods=["GET"])
@bp.response(200, ReportSummaryOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.doc(**SECURED)
@token_required
def reports():
    """The kept monthly reports (每月统计联合奖惩情况), the latest first."""
    supervisor()
    return monthly.kept_months(db.session)


@bp.route("/reports", methods=["POST"])
@bp.arguments(MonthIn)
@bp.response(201, ReportOut)
@bp.alt_response(200, schema=ReportOut, description="The month's report was kept already: it is never changed",
                 success=True)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Not a month (YYYY-MM), or one that has not ended")
@bp.doc(**SECURED, description="Generates and keeps a month's statistics now (the scheduler does it on the first "
        "working day of the next month). A kept month never changes: asking again returns it (200).")
@token_required
def generate(body):
    """Generate a month's report (supervisors and administrators)."""
    actor = supervisor()
    month_period(body["month"], today())  # a malformed or unfinished month: refused before anything is read
    kept = monthly.stored(db.session, body["month"].strip())
    report = monthly.generate(db.session, body["month"].strip(), today(), actor)
    db.session.commit()
    return report, 200 if kept is not None else 201


@bp.route("/reports/period", methods=["GET"])
@bp.arguments(PeriodQuery, location="query")
@bp.response(200, FiguresOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A malformed period, or one that starts in the future")
@bp.doc(**SECURED, description="The monthly report's figures for any period (default: this month to today), "
        "computed now and not kept.")
@token_required
def period(args):
    """The figures of any period (supervisors and administrators)."""
    supervisor()
    return monthly.figures(db.session, chosen_period(args["start"], args["end"], today()))


@bp.route("/reports/<month>", methods=["GET"])
@bp.response(200, ReportOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="The month's report has not been generated")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Not a month (YYYY-MM), or one that has not ended")
@bp.doc(**SECURED)
@token_required
def month(month: str):
    """A kept month's report with its figures (supervisors and administrators)."""
    supervisor()
    return monthly.get(db.session, month, today())


def _export(month: str, fmt: str):
    supervisor()
    report = monthly.get(db.session, month, today())
    return send_statistics(report.figures, fmt, f"statistics-{month}", statistics_title(month), report.generated_at)


EXPORT_DOC = ("As the page's export: a row per department, the accepting office and the total; the headings in "
              "Chinese. Sent as an attachment named statistics-YYYY-MM.")


@bp.route("/reports/<month>.csv", methods=["GET"])
@bp.response(200, {"type": "string"}, content_type="text/csv", description="CSV in UTF-8 with a byte-order mark")
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="The month's report has not been generated")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Not a month (YYYY-MM), or one that has not ended")
@bp.doc(**SECURED, description=EXPORT_DOC)
@token_required
def month_csv(month: str):
    """A kept month's report as CSV."""
    return _export(month, "csv")


@bp.route("/reports/<month>.xlsx", methods=["GET"])
@bp.response(200, {"type": "string", "contentMediaType": XLSX}, content_type=XLSX, description="An Excel workbook")
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor or administrator")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="The month's report has not been generated")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Not a month (YYYY-MM), or one that has not ended")
@bp.doc(**SECURED, description=EXPORT_DOC)
@token_required
def month_xlsx(month: str):
    """A kept month's report as XLSX."""
    return _export(month, "xlsx")


def register(api) -> None:
    from ..extensions import csrf

    csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF exposure
    api.register_blueprint(bp)
