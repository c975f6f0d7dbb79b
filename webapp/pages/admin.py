"""The administrator's pages: users, applicants' claims, departments, measure catalogue, settings, calendar."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forms.admin import (CalendarImportForm, DepartmentForm, MeasureForm, RejectClaimForm, UserFilterForm, UserForm,
                         setting_form)
from sla import calendar as working_calendar
from workflows.domain.errors import DomainError, NotFound
from workflows.domain.roles import Role
from workflows.domain.settings import SETTINGS
from workflows.services import accounts, administration, catalogue
from workflows.services import calendar as calendar_service
from workflows.services import settings as settings_service
from workflows.store.base import utcnow

from .. import messages, ui
from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = roles_required(Role.ADMINISTRATOR)
office_or_admin = roles_required(Role.ACCEPTING_OFFICE, Role.ADMINISTRATOR)


def _show_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a domain error next to its field (or above the form when no field matches)."""
    name = (aliases or {}).get(error.field, error.field)
    field = form._fields.get(name) if name else None
    message = messages.translate(error.message)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def _invalid(form, error: DomainError, template: str, aliases: dict[str, str] | None = None, **context):
    db.session.rollback()
    _show_error(form, error, aliases)
    return render_template(template, form=form, **context), 422


def _status(form) -> int:
    return 422 if form.is_submitted() else 200


def _department_choices(blank: bool) -> list[SelectChoice]:
    choices = [SelectChoice(d.code, f"{d.code} · {ui.localized(d)}") for d in catalogue.departments(db.session)]
    return ([SelectChoice("", "—")] if blank else []) + choices


# --- users ----------------------------------------------------------------------------------------

@bp.get("/")
@admin_only
def index():
    return redirect(url_for(".users"))


@bp.get("/users")
@admin_only
def users():
    return _users_page()


def _users_page(row_errors: dict[int, str] | None = None, status: int = 200):
    filters = UserFilterForm(formdata=request.args)
    page = administration.users(db.session, search=filters.q.data or "", role=filters.role.data or "",
                                page=min(max(1, request.args.get("page", 1, type=int)), 1_000_000))
    return render_template("admin/users.html", page=page, filters=filters, row_errors=row_errors or {}), status


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = UserForm()
    form.department.choices = _department_choices(blank=True)
    if form.validate_on_submit():
        try:
            accounts.create_user(
                db.session, username=form.username.data, password=form.password.data, roles=form.roles.data,
                actor=current_actor(), department_code=form.department.data or None,
                subject_code=form.subject.data or None, display_name=form.display_name.data or "",
                email=form.email.data or "")
        except DomainError as error:
            return _invalid(form, error, "admin/user_form.html", aliases={"role": "roles"})
        db.session.commit()
        flash(_("User %(name)s created.", name=form.username.data), "success")
        return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form), _status(form)


@bp.post("/users/<int:user_id>/active")
@admin_only
def set_user_active(user_id: int):
    if request.form.get("active") not in ("0", "1"):  # a missing or garbled value must not disable anyone
        return _users_page({user_id: _("Say whether the user may log in: active must be 0 or 1.")}, 422)
    active = request.form.get("active") == "1"
    try:
        user = administration.set_user_active(db.session, user_id, active, current_actor())
    except DomainError as error:
        db.session.rollback()
        return _users_page({user_id: messages.translate(error.message)}, 422)
    db.session.commit()
    if active:
        flash(_("%(name)s can log in again.", name=user.username), "success")
    else:
        flash(_("%(name)s can no longer log in.", name=user.username), "success")
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/admin/") else url_for(".users"))


# --- applicants' claims ---------------------------------------------------------------------------

@bp.get("/claims")
@office_or_admin
def claims():
    return _claims_page()


def _claims_page(posted: dict[int, RejectClaimForm] | None = None, status: int = 200):
    pending = administration.pending_claims(db.session)
    forms = {user.id: (posted or {}).get(user.id) or RejectClaimForm(formdata=None) for user in pending}
    return render_template("admin/claims.html", pending=pending, reject_forms=forms), status


@bp.post("/claims/<int:user_id>/confirm")
@office_or_admin
def confirm_claim(user_id: int):
    try:
        user = accounts.decide_claim(db.session, user_id, confirm=True, actor=current_actor())
    except DomainError as error:
        db.session.rollback()
        flash(messages.translate(error.message), "error")
        return _claims_page(status=422)
    db.session.commit()
    flash(_("Confirmed: %(name)s acts for %(subject)s.", name=user.username, subject=user.subject.name), "success")
    return redirect(url_for(".claims"))


@bp.post("/claims/<int:user_id>/reject")
@office_or_admin
def reject_claim(user_id: int):
    form = RejectClaimForm()
    if form.validate_on_submit():
        try:
            user = accounts.decide_claim(db.session, user_id, confirm=False, actor=current_actor(),
                                         reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
            return _claims_page({user_id: form}, 422)
        db.session.commit()
        flash(_("Rejected the claim of %(name)s.", name=user.username), "success")
        return redirect(url_for(".claims"))
    return _claims_page({user_id: form}, 422)


# --- departments ----------------------------------------------------------------------------------

@bp.get("/departments")
@admin_only
def departments():
    return render_template("admin/departments.html", departments=catalogue.departments(db.session))


def _department_input(form) -> catalogue.DepartmentInput:
    return catalogue.DepartmentInput(name=form.name.data, name_en=form.name_en.data or "",
                                     email=form.email.data or "")


@bp.route("/departments/new", methods=["GET", "POST"])
@admin_only
def new_department():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            catalogue.create_department(db.session, form.code.data, _department_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "admin/department_form.html", department=None)
        db.session.commit()
        flash(_("Department %(code)s created.", code=form.code.data.upper()), "success")
        return redirect(url_for(".departments"))
    return render_template("admin/department_form.html", form=form, department=None), _status(form)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@admin_only
def edit_department(department_id: int):
    department = catalogue.get_department(db.session, department_id)
    form = DepartmentForm(obj=department)
    del form.code
    if form.validate_on_submit():
        try:
            catalogue.update_department(db.session, department_id, _department_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "admin/department_form.html", department=department)
        db.session.commit()
        flash(_("Department %(code)s saved.", code=department.code), "success")
        return redirect(url_for(".departments"))
    return render_template("admin/department_form.html", form=form, department=department), _status(form)


# --- measure catalogue ----------------------------------------------------------------------------

@bp.get("/measures")
@admin_only
def measures():
    return render_template("admin/measures.html", items=catalogue.catalogue(db.session))


def _measure_input(form) -> catalogue.MeasureInput:
    return catalogue.MeasureInput(
        name=form.name.data, name_en=form.name_en.data or "", effect=form.effect.data,
        obligation=form.obligation.data, department_code=form.department.data,
        legal_basis=form.legal_basis.data or "", active=form.active.data)


@bp.route("/measures/new", methods=["GET", "POST"])
@admin_only
def new_measure():
    form = MeasureForm()
    form.department.choices = _department_choices(blank=True)
    if form.validate_on_submit():
        try:
            catalogue.create_measure(db.session, form.code.data, _measure_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "admin/measure_form.html", item=None)
        db.session.commit()
        flash(_("Measure %(code)s added to the catalogue.", code=form.code.data.upper()), "success")
        return redirect(url_for(".measures"))
    return render_template("admin/measure_form.html", form=form, item=None), _status(form)


@bp.route("/measures/<int:item_id>", methods=["GET", "POST"])
@admin_only
def edit_measure(item_id: int):
    item = catalogue.get_measure(db.session, item_id)
    form = MeasureForm(data={"name": item.name, "name_en": item.name_en, "effect": item.effect,
                             "obligation": item.obligation, "department": item.department.code,
                             "legal_basis": item.legal_basis, "active": item.active})
    del form.code
    form.department.choices = _department_choices(blank=False)
    if form.validate_on_submit():
        try:
            catalogue.update_measure(db.session, item_id, _measure_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "admin/measure_form.html", item=item)
        db.session.commit()
        flash(_("Measure %(code)s saved.", code=item.code), "success")
        return redirect(url_for(".measures"))
    return render_template("admin/measure_form.html", form=form, item=item), _status(form)


# --- settings -------------------------------------------------------------------------------------

@bp.get("/settings")
@admin_only
def settings():
    return _settings_page()


def _form_value(value: int | bool) -> int | str:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _settings_page(posted_key: str | None = None, posted_form=None, status: int = 200):
    values = settings_service.all_values(db.session)
    changes = administration.setting_changes(db.session)
    last_change = {}
    for change in changes:  # newest first
        last_change.setdefault(change.entity_id, change)
    rows = [
        (spec, values[key], last_change.get(key), posted_form if key == posted_key
         else setting_form(spec, formdata=None, data={"value": _form_value(values[key])}))
        for key, spec in SETTINGS.items()
    ]
    return render_template("admin/settings.html", rows=rows, changes=changes), status


@bp.post("/settings/<key>")
@admin_only
def change_setting(key: str):
    spec = SETTINGS.get(key) or abort(404)
    form = setting_form(spec)
    if form.validate_on_submit():
        try:
            settings_service.change(db.session, key, form.value.data, current_actor())
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error, aliases={key: "value"})
            return _settings_page(key, form, 422)
        db.session.commit()
        flash(_("Saved: %(label)s.", label=_(spec.label)), "success")
        return redirect(url_for(".settings", _anchor=f"setting-{key}"))
    return _settings_page(key, form, 422)


# --- holiday calendar -----------------------------------------------------------------------------

def _today() -> date:
    """The product's date (Asia/Shanghai)."""
    return working_calendar.local_date(utcnow())


@bp.app_context_processor
def calendar_banner():
    def missing_calendar_year() -> int | None:
        """For an administrator's pages: next year, from 1 November while its arrangement is neither imported nor
        packaged. No query: every request starts with the calendar the database holds (webapp.create_app)."""
        if not (current_user.is_authenticated and current_user.has_role(Role.ADMINISTRATOR)):
            return None
        return working_calendar.missing_next_year(_today(), working_calendar.default_calendar())

    return {"missing_calendar_year": missing_calendar_year}


def _calendar_page(form, status: int = 200):
    imports = administration.calendar_imports(db.session)
    this_year = working_calendar.local_date(utcnow()).year
    years = administration.calendar_years(db.session, range(this_year - 2, this_year + 3), imports)
    return render_template("admin/calendar.html", form=form, years=years, imports=imports), status


@bp.get("/calendar")
@admin_only
def calendar():
    return _calendar_page(CalendarImportForm())


@bp.get("/calendar/<int:year>.json")
@admin_only
def export_calendar(year: int):
    try:
        arrangement = calendar_service.effective_arrangement(db.session, year)
    except NotFound:
        abort(404)
    text = working_calendar.serialize_arrangement(arrangement)
    return Response(text, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=holidays-{year}.json"})


@bp.post("/calendar")
@admin_only
def import_calendar():
    form = CalendarImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            row = calendar_service.import_arrangement(db.session, form.text(), upload.filename or "",
                                                      current_actor())
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, messages.file_error(error)]
            return _calendar_page(form, 422)
        db.session.commit()
        flash(_("Imported the arrangement for %(year)s: it now takes precedence.", year=row.year), "success")
        return redirect(url_for(".calendar"))
    return _calendar_page(form, 422)
