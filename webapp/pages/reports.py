"""Monthly statistics pages (每月统计联合奖惩情况): kept months, any period on demand, CSV and XLSX, printable."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.supervision import GenerateMonthForm, PeriodForm
from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services.supervision import monthly
from workflows.store.base import utcnow

from ..access import current_actor, roles_required
from ..extensions import db
from .common import send_statistics, statistics_title, today
from .supervision import read_period, show_error

bp = Blueprint("reports", __name__, url_prefix="/supervision/reports")

supervisors = roles_required(Role.SUPERVISOR, Role.ADMINISTRATOR)


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
        return send_statistics(figures, fmt, name, statistics_title(chosen.label()), utcnow())
    return render_template("reports/show.html", figures=figures, title=statistics_title(chosen.label()), report=None,
                           exports={f: url_for(".period", start=chosen.start.isoformat(), end=chosen.end.isoformat(),
                                               format=f) for f in ("csv", "xlsx")})


@bp.get("/<month>")
@supervisors
def month(month: str):
    report = monthly.get(db.session, month, today())
    return render_template("reports/show.html", figures=report.figures, report=report, title=statistics_title(report.month),
                           exports={f: url_for(f".month_{f}", month=month) for f in ("csv", "xlsx")})


@bp.get("/<month>.csv")
@supervisors
def month_csv(month: str):
    report = monthly.get(db.session, month, today())
    return send_statistics(report.figures, "csv", f"statistics-{month}", statistics_title(month), report.generated_at)


@bp.get("/<month>.xlsx")
@supervisors
def month_xlsx(month: str):
    report = monthly.get(db.session, month, today())
    return send_statistics(report.figures, "xlsx", f"statistics-{month}", statistics_title(month), report.generated_at)
