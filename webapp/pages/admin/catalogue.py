"""The administrator's pages of departments and of the measure catalogue."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forms.admin import DepartmentForm, MeasureForm
from workflows.domain.errors import DomainError
from workflows.services.lists import catalogue

from ...access import current_actor
from ...extensions import db
from .blueprint import admin_only, bp, department_choices, form_status, invalid

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
            return invalid(form, error, "admin/department_form.html", department=None)
        db.session.commit()
        flash(_("Department %(code)s created.", code=form.code.data.upper()), "success")
        return redirect(url_for(".departments"))
    return render_template("admin/department_form.html", form=form, department=None), form_status(form)


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
            return invalid(form, error, "admin/department_form.html", department=department)
        db.session.commit()
        flash(_("Department %(code)s saved.", code=department.code), "success")
        return redirect(url_for(".departments"))
    return render_template("admin/department_form.html", form=form, department=department), form_status(form)


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
    form.department.choices = department_choices(blank=True)
    if form.validate_on_submit():
        try:
            catalogue.create_measure(db.session, form.code.data, _measure_input(form), current_actor())
        except DomainError as error:
            return invalid(form, error, "admin/measure_form.html", item=None)
        db.session.commit()
        flash(_("Measure %(code)s added to the catalogue.", code=form.code.data.upper()), "success")
        return redirect(url_for(".measures"))
    return render_template("admin/measure_form.html", form=form, item=None), form_status(form)


@bp.route("/measures/<int:item_id>", methods=["GET", "POST"])
@admin_only
def edit_measure(item_id: int):
    item = catalogue.get_measure(db.session, item_id)
    form = MeasureForm(data={"name": item.name, "name_en": item.name_en, "effect": item.effect,
                             "obligation": item.obligation, "department": item.department.code,
                             "legal_basis": item.legal_basis, "active": item.active})
    del form.code
    form.department.choices = department_choices(blank=False)
    if form.validate_on_submit():
        try:
            catalogue.update_measure(db.session, item_id, _measure_input(form), current_actor())
        except DomainError as error:
            return invalid(form, error, "admin/measure_form.html", item=item)
        db.session.commit()
        flash(_("Measure %(code)s saved.", code=item.code), "success")
        return redirect(url_for(".measures"))
    return render_template("admin/measure_form.html", form=form, item=item), form_status(form)
