"""List work through the API: escalation of a key-attention subject to the blacklist, red-list re-evaluation,
the green channel's catalogue, granted licences, and a green case's notice and materials."""
from __future__ import annotations

import re

import marshmallow as ma
from flask import current_app, g, request
from flask_smorest import Blueprint

from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.lists import LAST_VALID_DAY
from workflows.services import conditional_acceptance as green
from workflows.services import evidence as evidence_service
from workflows.services import green_records, licence_matters, list_lifecycle
from workflows.services import redlist_removal as removal
from workflows.services.actors import actor_for
from workflows.services.eligibility import eligibility_of

from .cases import CaseOut, case_json
from .hub import GreenOut, StaffEntryOut
from .v1 import ERROR_SCHEMA, token_required
from ..extensions import db

bp = Blueprint("api_lists", __name__, url_prefix="/api/v1",
               description="Escalation, red-list re-evaluation, green-channel catalogue")
SECURED = {"security": [{"bearerAuth": []}]}

MAX_ID = 2**31 - 1
MATTER_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")


def text(max_length: int, *, min_length: int | None = None, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=min_length, max=max_length), **kwargs)


# --- a key-attention subject moved to the blacklist ---

class EscalationIn(ma.Schema):
    basis = text(2000, min_length=1, required=True,
                 metadata={"description": "the severe violation and its legal basis"})
    document_no = text(100, min_length=1, required=True, metadata={"description": "the decision document number"})
    valid_until = ma.fields.Date(required=True, validate=ma.validate.Range(max=LAST_VALID_DAY),
                                 metadata={"description": "the last day on the blacklist; after today"})
    measures = ma.fields.List(text(32), required=True, validate=ma.validate.Length(min=1, max=50),
                              metadata={"description": "punishment measures by catalogue code (GET /api/v1/measures)"})
    published_channel = text(200, load_default="", metadata={"description": "where the listing is published"})


@bp.route("/list-entries/<int:entry_id>/escalate", methods=["POST"])
@bp.arguments(EscalationIn)
@bp.response(201, StaffEntryOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such key-attention entry")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="The subject is already on the blacklist")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="The key-attention entry is no longer active, a past "
                 "validity, an unknown or unfitting measure, missing fields")
@bp.doc(**SECURED, description="A severe violation during the key-attention validity: the subject goes on the "
        "blacklist with its measures for the caller's department, the key-attention entry ends (`blacklisted`), and "
        "the implementing departments and the subject are told. Answers the new blacklist entry.")
@token_required
def escalate(body, entry_id: int):
    """Move a key-attention subject to the blacklist (a listing department)."""
    request_ = list_lifecycle.Escalation(entry_id, body["basis"], body["document_no"], body["valid_until"],
                                         list(body["measures"]), body["published_channel"])
    black = list_lifecycle.escalate_to_blacklist(db.session, request_, actor_for(g.api_user))
    db.session.commit()
    return black


# --- red-list re-evaluation against changed criteria ---

class ReevaluationRuleIn(ma.Schema):
    statement = text(4000, required=True, metadata={"description": "the changed criterion, in words (10+ characters)"})
    category = text(64, load_default="", metadata={"description": "entries of this category"})
    listed_before = ma.fields.Date(load_default=None, allow_none=True,
                                   metadata={"description": "entries listed before this day"})
    basis_contains = text(200, load_default="", metadata={"description": "entries whose basis contains this"})


class ReevaluationIn(ReevaluationRuleIn):
    entry_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID)), required=True,
                               validate=ma.validate.Length(max=1000),
                               metadata={"description": "the previewed entries to remove"})


class ReevaluationPreviewOut(ma.Schema):
    total = ma.fields.Integer()
    entries = ma.fields.List(ma.fields.Nested(StaffEntryOut))


class ReevaluationOut(ma.Schema):
    removed = ma.fields.Integer()
    cases = ma.fields.List(ma.fields.Nested(CaseOut), metadata={"description": "one red-list removal case per entry"})


def _rule(body: dict) -> removal.Reevaluation:
    return removal.Reevaluation(statement=body["statement"], category=body["category"],
                                listed_before=body["listed_before"], basis_contains=body["basis_contains"])


@bp.route("/red-list/re-evaluations/preview", methods=["POST"])
@bp.arguments(ReevaluationRuleIn)
@bp.response(200, ReevaluationPreviewOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No criterion stated, no condition, or the rule matches none "
                 "of the department's red-list entries")
@bp.doc(**SECURED, description="The caller's department's open red-list entries matching every given condition "
        "(category, listed_before, basis_contains). Changes nothing.")
@token_required
def reevaluation_preview(body):
    """Preview a re-evaluation of the red list against changed criteria (a listing department)."""
    entries = removal.reevaluation_preview(db.session, actor_for(g.api_user), _rule(body))
    return {"total": len(entries), "entries": entries}


@bp.route("/red-list/re-evaluations", methods=["POST"])
@bp.arguments(ReevaluationIn)
@bp.response(201, ReevaluationOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="An entry has a removal case open already")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A bad rule, no entry chosen, or an entry the rule does not "
                 "match; nothing is removed")
@bp.doc(**SECURED, description="Removes the chosen entries of the preview, all or none: each gets a red-list removal "
        "case (trigger `criteria_changed`), its incentives stop, the implementing departments and the subject are "
        "told and the exit is announced.")
@token_required
def reevaluate(body):
    """Remove the red-list entries that no longer qualify (a listing department, its own entries)."""
    actor = actor_for(g.api_user)
    cases = removal.confirm_reevaluation(db.session, actor, _rule(body), body["entry_ids"])
    db.session.commit()
    return {"removed": len(cases), "cases": [case_json(c, actor) for c in cases]}


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


# --- a green case: the notice, a material supplied ---

class NoticeItemOut(ma.Schema):
    no = ma.fields.Integer()
    name = ma.fields.String()
    name_en = ma.fields.String()
    status = ma.fields.String(metadata={"description": "missing, submitted, verified or rejected"})
    due_on = ma.fields.Date(allow_none=True, metadata={"description": "supply it by the end of this working day"})
    reason = ma.fields.String(metadata={"description": "why it was last rejected"})


class SuppliedItemOut(ma.Schema):
    no = ma.fields.Integer()
    name = ma.fields.String()
    name_en = ma.fields.String()


class NoticeOut(ma.Schema):
    case_id = ma.fields.Integer()
    application_no = ma.fields.String()
    subject_code = ma.fields.String(allow_none=True)
    subject_name = ma.fields.String(allow_none=True)
    matter_code = ma.fields.String()
    matter_name = ma.fields.String()
    matter_name_en = ma.fields.String()
    department = ma.fields.String(allow_none=True)
    department_name = ma.fields.String(allow_none=True)
    signatory = ma.fields.String()
    filed_at = ma.fields.DateTime()
    accepted_at = ma.fields.DateTime()
    deferred = ma.fields.List(ma.fields.Nested(NoticeItemOut), metadata={"description": "each with its deadline"})
    supplied = ma.fields.List(ma.fields.Nested(SuppliedItemOut), metadata={"description": "supplied at filing"})
    extension_days = ma.fields.Integer(metadata={"description": "the one extension granted, 0 if none"})
    extension_reason = ma.fields.String()
    consequence = ma.fields.String(metadata={"description": "what happens when a deadline is missed"})
    commitment_zh = ma.fields.String()
    commitment_en = ma.fields.String()


@bp.route("/cases/<int:case_id>/notice", methods=["GET"])
@bp.response(200, NoticeOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No green-channel case visible to the caller, or not "
                 "accepted yet")
@bp.doc(**SECURED)
@token_required
def notice(case_id: int):
    """The notice of conditional acceptance (容缺受理通知书) of a green-channel case."""
    issued = green.notice(db.session, case_id, actor_for(g.api_user))
    case, application, state = issued.case, issued.application, issued.state
    return {"case_id": case.id, "application_no": application.number,
            "subject_code": case.subject.code if case.subject else None,
            "subject_name": case.subject.name if case.subject else None,
            "matter_code": application.matter_code, "matter_name": application.matter_name,
            "matter_name_en": application.matter_name_en,
            "department": case.department.code if case.department else None,
            "department_name": case.department.name if case.department else None,
            "signatory": application.signatory, "filed_at": case.filed_at, "accepted_at": state.accepted_at,
            "deferred": issued.deferred, "supplied": issued.supplied, "extension_days": state.extension_days,
            "extension_reason": state.extension_reason, "consequence": green.CONSEQUENCE,
            "commitment_zh": application.commitment_zh, "commitment_en": application.commitment_en}


def _version() -> int | None:
    raw = (request.form.get("version") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise InvalidInput("'version' must be a whole number", field="version")
    return int(raw)


@bp.route("/cases/<int:case_id>/materials/<int:no>/submit", methods=["POST"])
@bp.response(200, CaseOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not the applicant of the case")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No green-channel case visible to the caller")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="The case is not awaiting materials, or it changed meanwhile")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No file, a bad file, or not an outstanding missing material")
@bp.doc(**SECURED, description="multipart/form-data: one or more `files` (PDF, PNG, JPEG) of material `no`, an "
        "optional `note` and the `version` you saw. The files are kept under that material; the window then "
        "verifies it with `verify_materials` (POST /api/v1/cases/{id}/actions/verify_materials: `item`, `result`, "
        "`reason`).")
@token_required
def submit_material(case_id: int, no: int):
    """Supply a missing material of a green-channel case, with its file (the applicant)."""
    actor = actor_for(g.api_user)
    note = request.form.get("note") or ""
    if len(note) > 2000:
        raise InvalidInput("the note is at most 2000 characters of text", field="note")
    uploads = [evidence_service.Upload(f.filename or "", f.read()) for f in request.files.getlist("files")]
    config = current_app.config["CREDIT_CASES"]
    case = green.submit_material(db.session, case_id, no, actor, uploads, upload_dir=config.upload_dir,
                                 max_bytes=config.max_upload_bytes, note=note, expected_version=_version())
    db.session.commit()
    return case_json(case, actor)


def register(api) -> None:
    from ..extensions import csrf

    csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF exposure
    api.register_blueprint(bp)
