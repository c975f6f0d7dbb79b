"""A green-channel case through the API: its notice (告知书), a deferred material supplied."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, g, request

from workflows.domain.errors import InvalidInput
from workflows.services.casework import evidence as evidence_service
from workflows.services.casework.actors import actor_for
from workflows.services.processes import conditional_acceptance as green
from workflows.services.processes import green_materials

from ...extensions import db
from ..cases import CaseOut, case_json
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import MAX_ID, SECURED, bp


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
    case = green_materials.submit_material(db.session, case_id, no, actor, uploads, upload_dir=config.upload_dir,
                                 max_bytes=config.max_upload_bytes, note=note, expected_version=_version())
    db.session.commit()
    return case_json(case, actor)
