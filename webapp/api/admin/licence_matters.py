"""The green channel's licence matters catalogue (行政许可事项) through the API (administrators)."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.services.casework.actors import actor_for
from workflows.services.processes import licence_matters

from ...extensions import db
from .blueprint import SECURED, admin_only, bp, refusals, text

# --- licence matters ------------------------------------------------------------------------------

class MatterIn(ma.Schema):
    name = text(200, required=True, metadata={"description": "in Chinese"})
    name_en = text(200)
    department = text(32, required=True, metadata={"description": "the owning department's code"})
    processing_days = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=365),
                                        metadata={"description": "promised processing time, in working days"})
    materials_days = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=365),
                                       metadata={"description": "deadline for missing materials, in working days; "
                                                                "null: the setting for all matters"})
    legal_basis = text(4000)
    active = ma.fields.Boolean(load_default=True, metadata={"description": "open to new applications"})


class NewMatterIn(MatterIn):
    code = text(32, required=True, metadata={"description": "capital letters, digits, '-' and '_', starting with a "
                                                           "letter; applications name the matter by it"})


class MaterialIn(ma.Schema):
    name = text(200, required=True, metadata={"description": "in Chinese"})
    name_en = text(200)
    core = ma.fields.Boolean(required=True, metadata={"description": "true: statutory core, supplied when filing; "
                                                                     "false: deferrable against a commitment"})
    position = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=999),
                                 metadata={"description": "order in the list; 0 on adding: last"})
    active = ma.fields.Boolean(load_default=True, metadata={"description": "required of new applications"})


class MaterialOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    name_en = ma.fields.String()
    core = ma.fields.Boolean()
    position = ma.fields.Integer()
    active = ma.fields.Boolean()


class MatterOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    department = ma.fields.String(attribute="department.code")
    processing_days = ma.fields.Integer()
    materials_days = ma.fields.Integer(allow_none=True)
    legal_basis = ma.fields.String()
    active = ma.fields.Boolean()
    materials = ma.fields.List(ma.fields.Nested(MaterialOut))


def _matter_input(body) -> licence_matters.MatterInput:
    return licence_matters.MatterInput(
        name=body["name"], name_en=body["name_en"], department_code=body["department"],
        processing_days=body["processing_days"], materials_days=body["materials_days"],
        legal_basis=body["legal_basis"], active=body["active"])


def _material_input(body) -> licence_matters.MaterialInput:
    return licence_matters.MaterialInput(name=body["name"], name_en=body["name_en"], core=body["core"],
                                         position=body["position"], active=body["active"])


def _matter(matter):
    db.session.refresh(matter)  # its department and materials as now stored
    return matter


@bp.route("/licence-matters", methods=["GET"])
@admin_only
@bp.response(200, MatterOut(many=True))
@refusals(bp)
@bp.doc(**SECURED)
def list_matters():
    """The licence matters catalogue (行政许可事项), inactive matters and materials included."""
    return licence_matters.matters(db.session)


@bp.route("/licence-matters", methods=["POST"])
@admin_only
@bp.arguments(NewMatterIn)
@bp.response(201, MatterOut)
@refusals(bp, e404="No department with that code", e409="The code is already in use",
          e422="A missing or invalid field; a materials deadline longer than the processing time")
@bp.doc(**SECURED, description="Then add its materials (`POST /api/v1/admin/licence-matters/{id}/materials`).")
def create_matter(body):
    """Add a licence matter."""
    matter = licence_matters.create_matter(db.session, body["code"], _matter_input(body), actor_for(g.api_user))
    db.session.commit()
    return _matter(matter)


@bp.route("/licence-matters/<int:matter_id>", methods=["GET"])
@admin_only
@bp.response(200, MatterOut)
@refusals(bp, e404="No such licence matter")
@bp.doc(**SECURED)
def show_matter(matter_id: int):
    """A licence matter with its materials."""
    return licence_matters.get_matter(db.session, matter_id)


@bp.route("/licence-matters/<int:matter_id>", methods=["PUT"])
@admin_only
@bp.arguments(MatterIn)
@bp.response(200, MatterOut)
@refusals(bp, e404="No such licence matter, or no department with that code",
          e422="A missing or invalid field; a materials deadline longer than the processing time")
@bp.doc(**SECURED, description="The code stays: applications and other systems refer to a matter by it. Open "
        "applications keep the matter as it was filed.")
def update_matter(body, matter_id: int):
    """Change a licence matter."""
    matter = licence_matters.update_matter(db.session, matter_id, _matter_input(body), actor_for(g.api_user))
    db.session.commit()
    return _matter(matter)


@bp.route("/licence-matters/<int:matter_id>/materials", methods=["POST"])
@admin_only
@bp.arguments(MaterialIn)
@bp.response(201, MaterialOut)
@refusals(bp, e404="No such licence matter", e422="A missing or invalid field")
@bp.doc(**SECURED)
def add_material(body, matter_id: int):
    """Add a required material to a licence matter."""
    material = licence_matters.add_material(db.session, matter_id, _material_input(body), actor_for(g.api_user))
    db.session.commit()
    return material


@bp.route("/licence-matters/<int:matter_id>/materials/<int:material_id>", methods=["PUT"])
@admin_only
@bp.arguments(MaterialIn)
@bp.response(200, MaterialOut)
@refusals(bp, e404="No such licence matter, or no such material of it", e422="A missing or invalid field")
@bp.doc(**SECURED, description="Open applications keep the materials as they were filed; a change applies to new "
        "ones.")
def update_material(body, matter_id: int, material_id: int):
    """Change a required material of a licence matter."""
    material = licence_matters.update_material(db.session, matter_id, material_id, _material_input(body),
                                               actor_for(g.api_user))
    db.session.commit()
    return material
