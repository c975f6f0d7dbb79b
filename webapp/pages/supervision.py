"""Supervision pages (督办): the dashboard, urging and replying, the departments' own view, the head of supervision."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forms.supervision import DashboardFilterForm, HeadForm, PeriodForm, ReplyForm, UrgeForm
from workflows.domain.errors import DomainError
from workflows.domain.roles import DEPARTMENT_ROLES, Role
from workflows.domain.supervision import Period, chosen_period
from workflows.services.admin import settings as settings_service
from workflows.services.casework import queries
from workflows.services.deliveries import notify
from workflows.services.lists import catalogue
from workflows.services.supervision import dashboard as board
from workflows.services.supervision import urging as urging_service
from workflows.store.base import utcnow
from workflows.store.supervision import Urging

from .. import messages
from ..access import current_actor, roles_required
from ..extensions import db
from .common import case_rows, department_choices, today
from .supervision_charts import cases_link, chart_data, owner_label, percent, period_args

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

supervisors = roles_required(Role.SUPERVISOR, Role.ADMINISTRATOR)
urgers = roles_required(Role.SUPERVISOR)
departments_only = roles_required(*DEPARTMENT_ROLES, Role.ACCEPTING_OFFICE)

for _helper in (cases_link, owner_label, percent):
    bp.add_app_template_global(_helper)


def show_error(form, error: DomainError) -> None:
    """A domain error next to its field, or above the form when no field matches."""
    field = form._fields.get(error.field) if error.field else None
    message = messages.error_message(error)
    if field is not None and field.type != "HiddenField":
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def read_period(form: PeriodForm) -> tuple[Period, int]:
    """The form's period (default: this month up to today) and the status to answer with."""
    day = today()
    default = Period(day.replace(day=1), day)
    if not form.validate():
        return default, 422
    try:
        return chosen_period(form.start.data, form.end.data, day), 200
    except DomainError as error:
        show_error(form, error)
        return default, 422


@bp.get("/")
@supervisors
def dashboard():
    form = DashboardFilterForm(formdata=request.args)
    form.department.choices = department_choices(_("All departments"))
    period, status = read_period(form)
    departments = {d.code: d for d in catalogue.departments(db.session)}
    chosen = departments.get(form.department.data or "")
    filters = board.Filters(period, form.process_name.data or None, chosen.id if chosen else None)
    now = utcnow()
    data = board.dashboard(db.session, filters, now)
    scope = {"process": filters.process, "department": chosen.code if chosen else None}
    # the same cases as the figure of overdue cases, at the same instant: counted once
    overdue = queries.list_cases(db.session, current_actor(), deadline="overdue", per_page=board.OVERDUE_SHOWN,
                                 now=now, total=data.deadline_status["overdue"],
                                 **{k: v for k, v in scope.items() if v})
    urge = UrgeForm(formdata=None, next=request.full_path) if current_user.has_role(Role.SUPERVISOR) else None
    return render_template("supervision/dashboard.html", form=form, data=data, scope=scope,
                           period=period_args(period), overdue=overdue, rows=case_rows(overdue.items), urge=urge,
                           chart=chart_data(data, scope)), status


# --- urging ---------------------------------------------------------------------------------------

def _back(target: str | None, fallback: str) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else fallback


@bp.post("/urge")
@urgers
def urge():
    form = UrgeForm()
    form.department.choices = department_choices(_("The department each case waits on"))
    if form.validate_on_submit():
        try:
            urgings = urging_service.urge(db.session, form.case_ids.data, current_actor(), form.message.data,
                                          form.reply_by.data, department_code=form.department.data or None)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_template("supervision/urge.html", form=form), error.http_status
        db.session.commit()
        flash(ngettext_urged(len(urgings)), "success")
        return redirect(_back(form.next.data, url_for(".dashboard")))
    return render_template("supervision/urge.html", form=form), 422


def ngettext_urged(count: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)s case urged: the department has been told.",
                    "%(num)s cases urged: the departments have been told.", count)


@bp.post("/urgings/<int:urging_id>/reply")
@departments_only
def reply(urging_id: int):
    urging = db.session.get(Urging, urging_id) or abort(404)
    form = ReplyForm(prefix=f"u{urging_id}")
    if form.validate_on_submit():
        try:
            urging_service.reply(db.session, urging_id, current_actor(), form.reply.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_template("supervision/reply.html", form=form, urging=urging), error.http_status
        db.session.commit()
        flash(_("Your reply was sent to the supervisor."), "success")
        return redirect(url_for("cases.show", case_id=urging.case_id))
    return render_template("supervision/reply.html", form=form, urging=urging), 422


def _waiting_on(case) -> str:
    """The code of the department the case waits on now: the urge form's choice unless the supervisor changes it."""
    department_id = urging_service.waiting_department_id(db.session, case)
    try:
        return catalogue.get_department(db.session, department_id).code if department_id else ""
    except DomainError:
        return ""


@bp.app_template_global()
def supervision_panel(case) -> dict:
    """What the case page shows of urgings: the urgings, the urge form (supervisors), reply forms (the department)."""
    urgings = urging_service.urgings_of_case(db.session, case.id)
    actor = current_actor()
    urge = None
    if Role.SUPERVISOR in actor.roles and case.closed_at is None:
        urge = UrgeForm(formdata=None, case_ids=[case.id], next=url_for("cases.show", case_id=case.id),
                        department=_waiting_on(case))
        urge.department.choices = department_choices(_("The department the case waits on"))
    own = actor.department_id is not None and bool(actor.roles & (DEPARTMENT_ROLES | {Role.ACCEPTING_OFFICE}))
    forms = {u.id: ReplyForm(formdata=None, prefix=f"u{u.id}") for u in urgings
             if own and u.replied_at is None and u.department_id == actor.department_id}
    return {"urgings": urgings, "urge_form": urge, "reply_forms": forms}


@bp.get("/urgings")
@supervisors
def urgings():
    waiting = request.args.get("replied") != "yes"
    rows = urging_service.urgings_for(db.session, current_actor(), waiting=waiting)
    return render_template("supervision/urgings.html", urgings=rows, waiting=waiting)


# --- the departments' own view --------------------------------------------------------------------

@bp.get("/department")
@departments_only
def department():
    form = PeriodForm(formdata=request.args)
    period, status = read_period(form)
    view = board.department_view(db.session, current_actor(), period, utcnow())
    forms = {u.id: ReplyForm(formdata=None, prefix=f"u{u.id}") for u in view.waiting}
    return render_template("supervision/department.html", form=form, data=view.figures, own=view.own,
                           department=view.department, period=period_args(period), overdue=view.overdue,
                           rows=case_rows(view.overdue.items), waiting=view.waiting, forms=forms), status


# --- the head of supervision ----------------------------------------------------------------------

@bp.route("/head", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def head():
    form = HeadForm()
    supervisors_ = notify.users_with_role(db.session, Role.SUPERVISOR)
    form.user.choices = [SelectChoice("0", _("Nobody: tell every supervisor"))] + [
        SelectChoice(str(u.id), u.display_name or u.username) for u in supervisors_]
    if form.validate_on_submit():
        try:
            urging_service.set_head_of_supervision(db.session, form.user.data, current_actor())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_template("supervision/head.html", form=form), error.http_status
        db.session.commit()
        flash(_("Saved: second escalations now go to the chosen person."), "success")
        return redirect(url_for(".head"))
    if not form.is_submitted():
        form.user.data = str(settings_service.get(db.session, "supervision.head_user_id"))
    return render_template("supervision/head.html", form=form), 422 if form.is_submitted() else 200
