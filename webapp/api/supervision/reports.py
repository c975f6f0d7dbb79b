"""The monthly statistics (每月统计联合奖惩情况) through the API: kept months, any period on demand, CSV and XLSX."""
from __future__ import annotations

import marshmallow as ma

from workflows.domain.supervision import chosen_period, month_period
from workflows.services.supervision import monthly

from ...extensions import db
from ...pages.common import send_statistics, statistics_title, today
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import SECURED, PeriodQuery, bp, supervisor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthIn(ma.Schema):
    month = ma.fields.String(required=True, metadata={"description": "YYYY-MM, a month that has ended"})


class FiguresRowOut(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "a department's code, accepting_office or total"})
    name = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    measures = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(keys=ma.fields.String(),
                                                                            values=ma.fields.Integer()),
                              metadata={"description": "per list: measures applied, suspended, resumed, stopped"})
    carried_out = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(keys=ma.fields.String(),
                                                                               values=ma.fields.Integer()),
                                 metadata={"description": "per list: instructions the implementing department "
                                                          "confirmed as carried out in the period (applied, suspended, "
                                                          "resumed, stopped), by the day carried out; absent from "
                                                          "reports kept before execution feedback"})
    unconfirmed = ma.fields.Integer(metadata={"description": "instructions issued before the period's end and not "
                                                             "confirmed by then"})
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
    return send_statistics(report.figures, fmt, f"statistics-{month}", statistics_title(month), report.generated_at,
                           for_people=False)


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
