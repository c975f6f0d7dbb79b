"""Monthly statistics pages (每月统计联合奖惩情况): kept months, any period on demand, CSV and XLSX, printable."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.supervision import GenerateMonthForm, PeriodForm
from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services import monthly, report_files
from workflows.store.base import utcnow

from .. import labels
from ..access import current_actor, roles_required
from ..extensions import db
from .supervision import read_period, show_error, today
from ..ui import current_locale

bp = Blueprint("reports", __name__, url_prefix="/supervision/reports")

supervisors = roles_required(Role.SUPERVISOR, Role.ADMINISTRATOR)


def column_label(what: str, part: str) -> str:
    """A report column's header in the reader's language."""
    words = {"applied": _("applied"), "suspended": _("suspended"), "resumed": _("resumed"), "stopped": _("stopped"),
             "opened": _("opened"), "closed": _("closed")}
    if what == "department":
        return _("Code") if part == "code" else _("Department")
    if what in ("measures", "cases"):
        name, column = part.split(":")
        group = labels.list_label(name) if what == "measures" else labels.process_label(name)
        return f"{group} · {words.get(column, column)}"
    return {("deadlines", "met"): _("Deadlines met"), ("deadlines", "breached"): _("Deadlines missed"),
            ("deadlines", "compliance"): _("Compliance rate"), ("handling", "closed"): _("Cases closed"),
            ("handling", "median_days"): _("Median handling time (working days)")}.get((what, part), part)


def row_name(row: dict) -> str:
    if row["code"] == "total":
        return _("Total")
    if row["code"] == "accepting_office":
        return _("Accepting office")
    return row["name_en"] if current_locale() == "en" and row.get("name_en") else row["name"]


def _title(label: str) -> str:
    return _("Joint incentives and punishments: statistics for %(period)s", period=label)


def _send(figures: dict, fmt: str, name: str, title: str, generated_at) -> Response:
    if fmt == "xlsx":
        body = report_files.xlsx_bytes(figures, title, generated_at, column_label, row_name)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = report_files.csv_bytes(figures, column_label, row_name), "text/csv; charset=utf-8"
    response = Response(body, mimetype=kind.split(";")[0], content_type=kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("", methods=["GET", "POST"])
@supervisors
def index():
    generate = GenerateMonthForm()
    period_form = PeriodForm(formdata=None)
    status = 200
    if generate.validate_on_submit():
        try:
            report = monthly.generate(db.session, generate.month.data, today(), current_actor())
        except DomainError as error:
            db.session.rollback()
            show_error(generate, error)
            status = error.http_status
        else:
            db.session.commit()
            flash(_("The statistics for %(month)s are kept.", month=report.month), "success")
            return redirect(url_for(".month", month=report.month))
    elif generate.is_submitted():
        status = 422
    return render_template("reports/index.html", reports=monthly.kept_months(db.session), generate=generate,
                           period_form=period_form), status


@bp.get("/period")
@supervisors
def period():
    form = PeriodForm(formdata=request.args)
    chosen, status = read_period(form)
    if status != 200:
        return render_template("reports/index.html", reports=monthly.kept_months(db.session),
                               generate=GenerateMonthForm(formdata=None), period_form=form), status
    figures = monthly.figures(db.session, chosen)
    fmt = request.args.get("format", "")
    if fmt in ("csv", "xlsx"):
        name = f"statistics-{chosen.start.isoformat()}-{chosen.end.isoformat()}"
        return _send(figures, fmt, name, _title(chosen.label()), utcnow())
    return render_template("reports/show.html", figures=figures, title=_title(chosen.label()), report=None,
                           exports={f: url_for(".period", start=chosen.start.isoformat(), end=chosen.end.isoformat(),
                                               format=f) for f in ("csv", "xlsx")})


@bp.get("/<month>")
@supervisors
def month(month: str):
    report = monthly.get(db.session, month, today())
    return render_template("reports/show.html", figures=report.figures, report=report, title=_title(report.month),
                           exports={f: url_for(f".month_{f}", month=month) for f in ("csv", "xlsx")})


@bp.get("/<month>.csv")
@supervisors
def month_csv(month: str):
    report = monthly.get(db.session, month, today())
    return _send(report.figures, "csv", f"statistics-{month}", _title(month), report.generated_at)


@bp.get("/<month>.xlsx")
@supervisors
def month_xlsx(month: str):
    report = monthly.get(db.session, month, today())
    return _send(report.figures, "xlsx", f"statistics-{month}", _title(month), report.generated_at)
