"""A key-attention subject moved to the blacklist, through the API."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.domain.lists import LAST_VALID_DAY
from workflows.services.casework.actors import actor_for
from workflows.services.lists import list_lifecycle

from ...extensions import db
from ..hub import StaffEntryOut
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import SECURED, bp, text


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
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not the listing department of the key-attention entry")
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
