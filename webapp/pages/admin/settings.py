"""The administrator's pages of settings (time limits and switches) and of the holiday calendar."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.admin import CalendarImportForm, setting_form
from sla import arrangement_files
from sla import calendar as working_calendar
from workflows.domain.errors import DomainError, NotFound
from workflows.domain.roles import Role
from workflows.domain.settings import SETTINGS
from workflows.services.admin import administration, calendar_imports
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings as settings_service
from workflows.services.deliveries import notify
from workflows.store.base import utcnow

from ... import messages
from ...access import current_actor
from ...extensions import db
from .blueprint import admin_only, bp, show_error

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
    return render_template("admin/settings.html", rows=rows, changes=changes, chosen=_chosen(values)), status


def _chosen(values: dict) -> dict[str, tuple[str, str]]:
    """Settings that name a person: chosen on their own page from a list, shown by the person's name."""
    head = values["supervision.head_user_id"]
    names = {u.id: u.display_name or u.username for u in notify.users_with_role(db.session, Role.SUPERVISOR)}
    return {"supervision.head_user_id": (url_for("supervision.head"),
                                         names.get(head, _("Nobody: tell every supervisor")))}


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
            show_error(form, error, aliases={key: "value"})
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
    text = arrangement_files.serialize_arrangement(arrangement)
    return Response(text, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=holidays-{year}.json"})


@bp.post("/calendar")
@admin_only
def import_calendar():
    form = CalendarImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            row = calendar_imports.import_arrangement(db.session, form.text(), upload.filename or "",
                                                      current_actor())
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, messages.file_error(error)]
            return _calendar_page(form, 422)
        db.session.commit()
        flash(_("Imported the arrangement for %(year)s: it now takes precedence.", year=row.year), "success")
        return redirect(url_for(".calendar"))
    return _calendar_page(form, 422)
