"""Departments and the measure catalogue through the API (administrators)."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.domain.lists import MeasureEffect, MeasureObligation
from workflows.services.casework.actors import actor_for
from workflows.services.lists import catalogue

from ...extensions import db
from ..reference import CatalogueOut, DepartmentOut
from .blueprint import SECURED, admin_only, bp, refusals, text

# --- departments ----------------------------------------------------------------------------------

class DepartmentIn(ma.Schema):
    name = text(200, required=True, metadata={"description": "in Chinese"})
    name_en = text(200)
    email = text(200, metadata={"description": "where its notifications are sent"})


class NewDepartmentIn(DepartmentIn):
    code = text(32, required=True, metadata={"description": "capital letters, digits, '-' and '_', starting with a "
                                                           "letter; it cannot be changed later"})


def _department_input(body) -> catalogue.DepartmentInput:
    return catalogue.DepartmentInput(name=body["name"], name_en=body["name_en"], email=body["email"])


@bp.route("/departments", methods=["POST"])
@admin_only
@bp.arguments(NewDepartmentIn)
@bp.response(201, DepartmentOut)
@refusals(bp, e409="The code is already in use", e422="A missing or invalid field")
@bp.doc(**SECURED)
def create_department(body):
    """Create a department (the list of departments: `GET /api/v1/departments`)."""
    department = catalogue.create_department(db.session, body["code"], _department_input(body),
                                             actor_for(g.api_user))
    db.session.commit()
    return department


@bp.route("/departments/<int:department_id>", methods=["GET"])
@admin_only
@bp.response(200, DepartmentOut)
@refusals(bp, e404="No such department")
@bp.doc(**SECURED)
def show_department(department_id: int):
    """A department."""
    return catalogue.get_department(db.session, department_id)


@bp.route("/departments/<int:department_id>", methods=["PUT"])
@admin_only
@bp.arguments(DepartmentIn)
@bp.response(200, DepartmentOut)
@refusals(bp, e404="No such department", e422="A missing or invalid field")
@bp.doc(**SECURED, description="The code stays: list entries, users and other systems refer to a department by it.")
def update_department(body, department_id: int):
    """Change a department's names and e-mail address."""
    department = catalogue.update_department(db.session, department_id, _department_input(body),
                                             actor_for(g.api_user))
    db.session.commit()
    return department


# --- measure catalogue ----------------------------------------------------------------------------

class MeasureIn(ma.Schema):
    name = text(300, required=True, metadata={"description": "in Chinese"})
    name_en = text(300)
    effect = ma.fields.String(required=True, validate=ma.validate.OneOf([e.value for e in MeasureEffect]))
    obligation = ma.fields.String(required=True, validate=ma.validate.OneOf([o.value for o in MeasureObligation]))
    department = text(32, required=True, metadata={"description": "the implementing department's code"})
    legal_basis = text(4000)
    active = ma.fields.Boolean(load_default=True, metadata={"description": "may be attached to new listings"})


class NewMeasureIn(MeasureIn):
    code = text(32, required=True, metadata={"description": "capital letters, digits, '-' and '_', starting with a "
                                                           "letter; listings name the measure by it"})


def _measure_input(body) -> catalogue.MeasureInput:
    return catalogue.MeasureInput(name=body["name"], name_en=body["name_en"], effect=body["effect"],
                                  obligation=body["obligation"], department_code=body["department"],
                                  legal_basis=body["legal_basis"], active=body["active"])


def _measure(item):
    db.session.refresh(item)  # its department as now assigned
    return item


@bp.route("/measures", methods=["POST"])
@admin_only
@bp.arguments(NewMeasureIn)
@bp.response(201, CatalogueOut)
@refusals(bp, e404="No department with that code", e409="The code is already in use",
          e422="A missing or invalid field")
@bp.doc(**SECURED)
def create_measure(body):
    """Add a measure to the catalogue (the catalogue: `GET /api/v1/measures`)."""
    item = catalogue.create_measure(db.session, body["code"], _measure_input(body), actor_for(g.api_user))
    db.session.commit()
    return _measure(item)


@bp.route("/measures/<int:measure_id>", methods=["GET"])
@admin_only
@bp.response(200, CatalogueOut)
@refusals(bp, e404="No such measure")
@bp.doc(**SECURED)
def show_measure(measure_id: int):
    """A measure of the catalogue."""
    return catalogue.get_measure(db.session, measure_id)


@bp.route("/measures/<int:measure_id>", methods=["PUT"])
@admin_only
@bp.arguments(MeasureIn)
@bp.response(200, CatalogueOut)
@refusals(bp, e404="No such measure, or no department with that code",
          e409="The effect cannot change while the measure is applied to list entries",
          e422="A missing or invalid field")
@bp.doc(**SECURED, description="The code stays: listings name measures by it.")
def update_measure(body, measure_id: int):
    """Change a measure of the catalogue."""
    item = catalogue.update_measure(db.session, measure_id, _measure_input(body), actor_for(g.api_user))
    db.session.commit()
    return _measure(item)
