"""Written decisions through the API: a case's are in the case (`documents`); a list entry's notice of the
dishonesty record here. Each `url` gives the PDF to a caller with its token (webapp/pages/documents.py)."""
from __future__ import annotations

import marshmallow as ma
from flask import g, url_for
from flask_smorest import Blueprint
from sqlalchemy import Row

from workflows.services.admin import departments
from workflows.services.casework.actors import actor_for
from workflows.services.documents import reading

from ..extensions import db
from .v1 import ERROR_SCHEMA, token_required

bp = Blueprint("api_documents", __name__, url_prefix="/api/v1/list-entries",
               description="Written decisions of list entries (the notice of a dishonesty record at listing)")


class DocumentOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "acceptance, refusal, verification_result, repair_decision, "
                                                     "conditional_acceptance or listing_notice"})
    action = ma.fields.String(metadata={"description": "the action that made the decision (`list` for a listing)"})
    number = ma.fields.String(metadata={"description": "the department's number, e.g. 珠信修〔2026〕15号"})
    title = ma.fields.String(metadata={"description": "the document's title, in Chinese"})
    department = ma.fields.String(metadata={"description": "the issuing department's code"})
    issued_at = ma.fields.DateTime()
    url = ma.fields.String(metadata={"description": "the PDF (send the token); add `?download=1` for a download"})


def document_json(document: Row) -> dict:
    """A document as a case's record (`history_view.case_record`) and `reading.of_entry` list it."""
    if document.case_id is not None:
        url = url_for("documents.case_document", case_id=document.case_id, document_id=document.id)
    else:
        url = url_for("documents.entry_document", entry_id=document.list_entry_id, document_id=document.id)
    return {"id": document.id, "kind": document.kind, "action": document.action, "number": document.number,
            "title": document.title or "", "issued_at": document.issued_at, "url": url,
            "department": departments.code_of(db.session, document.department_id)}


@bp.route("/<int:entry_id>/documents", methods=["GET"])
@bp.response(200, DocumentOut(many=True))
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such entry, or not visible to the caller")
@bp.doc(security=[{"bearerAuth": []}])
@token_required
def entry_documents(entry_id: int):
    """The written decisions of a list entry (staff, or the subject itself)."""
    return [document_json(d) for d in reading.entry_documents(db.session, actor_for(g.api_user), entry_id)]
