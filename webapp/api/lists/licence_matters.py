"""The green channel's catalogue of licence matters, and the licences it granted (public), through the API."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.domain.errors import NotFound
from workflows.services.casework.actors import actor_for
from workflows.services.processes import conditional_acceptance as green
from workflows.services.processes import green_records, licence_matters
from workflows.services.processes.eligibility import eligibility_of

from ...extensions import db
from ..hub import GreenOut
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import MATTER_CODE, SECURED, bp

# --- the green channel's catalogue ---

class MatterMaterialOut(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "name it in `missing` when filing"})
    name = ma.fields.String()
    name_en = ma.fields.String()
    core = ma.fields.Boolean(metadata={"description": "statutory core: must be supplied when filing"})
    deferrable = ma.fields.Boolean(metadata={"description": "may follow against the written commitment"})


class LicenceMatterOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    department = ma.fields.String(metadata={"description": "the owning department's code"})
    department_name = ma.fields.String()
    processing_days = ma.fields.Integer(metadata={"description": "promised processing time, working days"})
    materials_days = ma.fields.Integer(
        metadata={"description": "working days a commitment gives for missing materials"})
    legal_basis = ma.fields.String()
    materials = ma.fields.List(ma.fields.Nested(MatterMaterialOut))


class LicenceMatterDetailOut(LicenceMatterOut):
    eligibility = ma.fields.Nested(GreenOut, allow_none=True,
                                   metadata={"description": "the caller's subject's eligibility; null for a caller "
                                                            "without a confirmed subject"})


class LicenceMatterListOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(LicenceMatterOut))
    eligibility = ma.fields.Nested(GreenOut, allow_none=True,
                                   metadata={"description": "the caller's subject's eligibility; null for a caller "
                                                            "without a confirmed subject"})


def _matter_json(matter) -> dict:
    return {"code": matter.code, "name": matter.name, "name_en": matter.name_en,
            "department": matter.department.code, "department_name": matter.department.name,
            "processing_days": matter.processing_days, "materials_days": green.default_days(db.session, matter),
            "legal_basis": matter.legal_basis,
            "materials": [{"id": m.id, "name": m.name, "name_en": m.name_en, "core": m.core, "deferrable": not m.core}
                          for m in matter.materials if m.active]}


def _eligibility() -> dict | None:
    actor = actor_for(g.api_user)
    if actor.subject_id is None:
        return None
    verdict = eligibility_of(db.session, actor.subject_id)  # the subject's own: every reason shown
    return {"eligible": verdict.eligible, "reasons": list(verdict.reasons)}


@bp.route("/licence-matters", methods=["GET"])
@bp.response(200, LicenceMatterListOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.doc(**SECURED, description="The active matters open to the green channel (容缺受理), with their materials. For "
        "an applicant whose claim to a subject is confirmed, `eligibility` says whether it may apply, with the "
        "reasons; apply with POST /api/v1/cases (`conditional_acceptance`).")
@token_required
def matters():
    """The green channel's licence matters."""
    return {"items": [_matter_json(m) for m in licence_matters.matters(db.session, active_only=True)],
            "eligibility": _eligibility()}


@bp.route("/licence-matters/<code>", methods=["GET"])
@bp.response(200, LicenceMatterDetailOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such active matter")
@bp.doc(**SECURED)
@token_required
def matter(code: str):
    """One licence matter with its materials (and the caller's eligibility)."""
    if not MATTER_CODE.fullmatch(code):
        raise NotFound("no such licence matter", field="matter", details={"code": code[:40]})
    return {**_matter_json(licence_matters.matter_by_code(db.session, code)), "eligibility": _eligibility()}


# --- granted licences (public) ---

class LicencePageIn(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


class GrantedLicenceOut(ma.Schema):
    holder_name = ma.fields.String(metadata={"description": "a person's name is masked"})
    holder_code = ma.fields.String(metadata={"description": "a person's ID number is masked"})
    matter_name = ma.fields.String()
    matter_name_en = ma.fields.String()
    licence_no = ma.fields.String()
    department = ma.fields.String(attribute="department.code", allow_none=True)
    department_name = ma.fields.String(attribute="department.name", allow_none=True)
    granted_on = ma.fields.Date()
    published_at = ma.fields.DateTime()


class GrantedLicencePageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(GrantedLicenceOut))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


@bp.route("/public/licences", methods=["GET"])
@bp.arguments(LicencePageIn, location="query")
@bp.response(200, GrantedLicencePageOut)
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A page or page size out of range")
@bp.doc(description="Public, no token. Licences granted through the green channel, newest first (published within "
        "7 working days of the grant).")
def public_licences(args):
    """The licences granted through the green channel."""
    page = green_records.publication_page(db.session, args["page"], args["per_page"])
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}
