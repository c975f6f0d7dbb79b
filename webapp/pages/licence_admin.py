"""The administrator's pages of the licence matters catalogue (行政许可事项): each matter's owning department,
promised processing time, and required materials, statutory core or deferrable."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from forms.green import MaterialForm, MatterForm
from workflows.domain.errors import DomainError, NotFound
from workflows.domain.roles import Role
from workflows.services.lists import catalogue
from workflows.services.processes import licence_matters

from .. import messages, ui
from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("licence_admin", __name__, url_prefix="/admin/licence-matters")

admin_only = roles_required(Role.ADMINISTRATOR)


def _invalid(form, error: DomainError, template: str, **context):
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    message = messages.translate(error)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
    return render_template(template, form=form, **context), 422


def _matter_input(form) -> licence_matters.MatterInput:
    return licence_matters.MatterInput(
        name=form.name.data, name_en=form.name_en.data or "", department_code=form.department.data,
        processing_days=form.processing_days.data, materials_days=form.materials_days.data,
        legal_basis=form.legal_basis.data or "", active=bool(form.active.data))


def _material_input(form) -> licence_matters.MaterialInput:
    return licence_matters.MaterialInput(name=form.name.data, name_en=form.name_en.data or "",
                                         core=form.kind.data == "core", position=form.position.data or 0,
                                         active=bool(form.active.data))


def _matter_form(obj=None) -> MatterForm:
    form = MatterForm(obj=obj)
    form.department.choices = [SelectChoice(d.code, ui.localized(d))
                               for d in catalogue.departments(db.session)]
    if obj is not None and not form.is_submitted():
        form.department.data = obj.department.code
    return form


def _get_matter(matter_id: int):
    try:
        return licence_matters.get_matter(db.session, matter_id)
    except NotFound:
        abort(404)


@bp.get("")
@admin_only
def index():
    return render_template("green/admin_matters.html", matters=licence_matters.matters(db.session))


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    form = _matter_form()
    if form.validate_on_submit():
        try:
            matter = licence_matters.create_matter(db.session, form.code.data, _matter_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "green/admin_matter_form.html", matter=None, material_form=None)
        db.session.commit()
        flash(_("Licence matter %(code)s created: now add its materials.", code=matter.code), "success")
        return redirect(url_for(".edit", matter_id=matter.id))
    return render_template("green/admin_matter_form.html", form=form, matter=None, material_form=None), (
        422 if form.is_submitted() else 200)


@bp.route("/<int:matter_id>", methods=["GET", "POST"])
@admin_only
def edit(matter_id: int):
    matter = _get_matter(matter_id)
    form = _matter_form(matter)
    del form.code  # applications and other systems refer to a matter by its code
    context = {"matter": matter, "material_form": MaterialForm(formdata=None)}
    if form.validate_on_submit():
        try:
            licence_matters.update_matter(db.session, matter_id, _matter_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "green/admin_matter_form.html", **context)
        db.session.commit()
        flash(_("Licence matter %(code)s saved.", code=matter.code), "success")
        return redirect(url_for(".edit", matter_id=matter_id))
    return render_template("green/admin_matter_form.html", form=form, **context), (422 if form.is_submitted() else 200)


@bp.post("/<int:matter_id>/materials")
@admin_only
def add_material(matter_id: int):
    matter = _get_matter(matter_id)
    material_form = MaterialForm()
    if material_form.validate_on_submit():
        try:
            licence_matters.add_material(db.session, matter_id, _material_input(material_form), current_actor())
        except DomainError as error:
            return _invalid(material_form, error, "green/admin_matter_form.html", matter=matter,
                            material_form=material_form, form=_without_code(matter))
        db.session.commit()
        flash(_("Material added."), "success")
        return redirect(url_for(".edit", matter_id=matter_id))
    form = _without_code(matter)
    return render_template("green/admin_matter_form.html", form=form, matter=matter, material_form=material_form), 422


@bp.route("/<int:matter_id>/materials/<int:material_id>", methods=["GET", "POST"])
@admin_only
def edit_material(matter_id: int, material_id: int):
    matter = _get_matter(matter_id)
    try:
        material = licence_matters.get_material(db.session, matter_id, material_id)
    except NotFound:
        abort(404)
    form = MaterialForm(obj=material)
    if not form.is_submitted():
        form.kind.data = "core" if material.core else "deferrable"
    if form.validate_on_submit():
        try:
            licence_matters.update_material(db.session, matter_id, material_id, _material_input(form), current_actor())
        except DomainError as error:
            return _invalid(form, error, "green/admin_material_form.html", matter=matter, material=material)
        db.session.commit()
        flash(_("Material saved."), "success")
        return redirect(url_for(".edit", matter_id=matter_id))
    return render_template("green/admin_material_form.html", form=form, matter=matter, material=material), (
        422 if form.is_submitted() else 200)


def _without_code(matter) -> MatterForm:
    form = _matter_form(matter)
    form.process(obj=matter)
    form.department.data = matter.department.code
    del form.code
    return form
