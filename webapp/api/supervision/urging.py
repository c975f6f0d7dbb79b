"""Urging (督办) through the API: supervisors urge departments about cases, the departments reply."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.services.casework.actors import actor_for
from workflows.services.supervision import urging as urging_service

from ...extensions import db
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import SECURED, UrgingOut, bp


class UrgeIn(ma.Schema):
    case_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1)), required=True,
                              metadata={"description": f"at most {urging_service.MAX_CASES}; all or none"})
    message = ma.fields.String(required=True, metadata={"description": "what the department must do (4 characters "
                                                                       "or more)"})
    reply_by = ma.fields.Date(load_default=None, metadata={"description": "a day after today (default: the setting "
                                                                         "supervision.reply_days in working days)"})
    department = ma.fields.String(load_default=None, metadata={
        "description": "the department urged (its code; default: the department each case waits on)"})


class UrgingsQuery(ma.Schema):
    replied = ma.fields.Boolean(load_default=False, metadata={"description": "the answered urgings instead of those "
                                                                            "awaiting a reply"})


class ReplyIn(ma.Schema):
    reply = ma.fields.String(required=True)


# --- urging ---------------------------------------------------------------------------------------

@bp.route("/urgings", methods=["POST"])
@bp.arguments(UrgeIn)
@bp.response(201, UrgingOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such case or department")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="A case is closed")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No case, too short a message, a reply-by day not after "
                 "today, a case with no department concerned")
@bp.doc(**SECURED, description="One urging per case, each with its reply-by deadline (a working-day timer that "
        "warns, breaches and escalates); the department is told, and the urging is in the case's history. All or "
        "none.")
@token_required
def urge(body):
    """Urge departments on cases (supervisors)."""
    urgings = urging_service.urge(db.session, body["case_ids"], actor_for(g.api_user), body["message"],
                                  body["reply_by"], department_code=body["department"] or None)
    db.session.commit()
    return urgings


@bp.route("/urgings", methods=["GET"])
@bp.arguments(UrgingsQuery, location="query")
@bp.response(200, UrgingOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Neither supervision nor a department")
@bp.doc(**SECURED, description="The latest 200 urgings awaiting a reply (or, with `replied=true`, answered), "
        "newest first: all of them for supervisors and administrators, its own for a department.")
@token_required
def urgings(args):
    """Urgings (supervisors and administrators: all; a department: those addressed to it)."""
    return urging_service.urgings_for(db.session, actor_for(g.api_user), waiting=not args["replied"])


@bp.route("/urgings/<int:urging_id>/reply", methods=["POST"])
@bp.arguments(ReplyIn)
@bp.response(200, UrgingOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not the urged department")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such urging")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="Answered already")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No reply written")
@bp.doc(**SECURED, description="Ends the reply-by deadline (met, or late if it had passed); the supervisor who "
        "urged is told.")
@token_required
def reply(body, urging_id: int):
    """Answer an urging (the urged department)."""
    urging = urging_service.reply(db.session, urging_id, actor_for(g.api_user), body["reply"])
    db.session.commit()
    return urging
