"""Execution feedback through the API: an implementing department's instructions on measures and its
confirmation that each was carried out; supervisors see every department's and urge the overdue ones."""
from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from sla import calendar
from workflows.services.casework.actors import actor_for
from workflows.services.lists import instructions
from workflows.store.base import utcnow

from ..extensions import db
from .v1 import ERROR_SCHEMA, token_required

bp = Blueprint("api_instructions", __name__, url_prefix="/api/v1/instructions",
               description="Execution feedback (执行反馈): instructions to implementing departments on measures, "
                           "confirmed once carried out")
SECURED = {"security": [{"bearerAuth": []}]}


def _today():
    return calendar.local_date(utcnow())


class InstructionOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    instruction = ma.fields.String(attribute="kind", required=True,
                                   metadata={"description": "apply, suspend, resume or stop"})
    status = ma.fields.Function(lambda i: i.status(_today()), required=True,
                                metadata={"description": "open, overdue, confirmed, superseded"})
    department = ma.fields.String(attribute="department.code", required=True)
    measure_id = ma.fields.Integer(required=True)
    measure = ma.fields.String(attribute="measure.catalogue.code")
    measure_name = ma.fields.String(attribute="measure.catalogue.name")
    measure_status = ma.fields.String(attribute="measure.status")
    list_entry_id = ma.fields.Integer(attribute="measure.list_entry_id")
    list = ma.fields.String(attribute="measure.entry.list_kind")
    subject_code = ma.fields.Function(lambda i: i.measure.entry.subject.code if i.measure.entry.subject else None)
    case_id = ma.fields.Integer(allow_none=True)
    event_id = ma.fields.Integer(allow_none=True)
    issued_at = ma.fields.DateTime(required=True)
    due_on = ma.fields.Date(allow_none=True, metadata={"description": "the last day for the confirmation (setting "
                                                                       "measures.confirmation_days, working days)"})
    confirmed_at = ma.fields.DateTime(allow_none=True)
    carried_out_on = ma.fields.Date(allow_none=True)
    note = ma.fields.String()
    confirmed_by = ma.fields.String(attribute="confirmed_by_label")
    superseded_at = ma.fields.DateTime(allow_none=True)
    urged_at = ma.fields.DateTime(allow_none=True)
    urge_count = ma.fields.Integer()


class InstructionsQuery(ma.Schema):
    status = ma.fields.String(load_default="open", validate=ma.validate.OneOf(instructions.STATUSES),
                              metadata={"description": "open (unconfirmed, overdue included), overdue, confirmed, all"})
    department = ma.fields.String(load_default=None, metadata={"description": "a department's code (supervisors)"})


class InstructionConfirmIn(ma.Schema):
    carried_out_on = ma.fields.Date(required=True, metadata={"description": "the day it was carried out: from the "
                                                                            "day issued to today"})
    note = ma.fields.String(load_default="", metadata={"description": f"at most {instructions.NOTE_MAX} characters"})


class InstructionsUrgeIn(ma.Schema):
    department = ma.fields.String(required=True, metadata={"description": "the department's code"})
    message = ma.fields.String(required=True, metadata={"description": "what the department must do (4 characters "
                                                                       "or more)"})
    instruction_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1)),
                                     load_default=None, metadata={
                                         "description": "unconfirmed instructions of that department (default: all "
                                                        "its overdue ones, at most 200)"})


@bp.route("", methods=["GET"])
@bp.arguments(InstructionsQuery, location="query")
@bp.response(200, InstructionOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Neither an implementing department nor supervision")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such department")
@bp.doc(**SECURED, description="At most 200, the oldest due first (confirmed: the latest first). A department sees "
        "its own; supervisors and administrators every department's, or one's with `department`.")
@token_required
def index(args):
    """Instructions on measures (a department: its own)."""
    return instructions.listed(db.session, actor_for(g.api_user), args["status"], args["department"])


@bp.route("/<int:instruction_id>", methods=["GET"])
@bp.response(200, InstructionOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Neither an implementing department nor supervision")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such instruction of the caller's department")
@bp.doc(**SECURED)
@token_required
def show(instruction_id: int):
    """One instruction."""
    return instructions.get_for(db.session, actor_for(g.api_user), instruction_id)


@bp.route("/<int:instruction_id>/confirm", methods=["POST"])
@bp.arguments(InstructionConfirmIn)
@bp.response(200, InstructionOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not an implementing department")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such instruction of the caller's department")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="Confirmed already, or replaced by a later instruction")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A day before the instruction or after today; a note too "
                 "long")
@bp.doc(**SECURED, description="The department confirms that it carried the instruction out (执行反馈), once; the "
        "webhook message of a measure change carries the instruction's `confirm_url`.")
@token_required
def confirm(body, instruction_id: int):
    """Confirm an instruction as carried out (the implementing department)."""
    instruction = instructions.confirm(db.session, instruction_id, actor_for(g.api_user), body["carried_out_on"],
                                       body["note"])
    db.session.commit()
    return instruction


@bp.route("/urge", methods=["POST"])
@bp.arguments(InstructionsUrgeIn)
@bp.response(201, InstructionOut(many=True))
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a supervisor")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such department")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="Nothing overdue to urge, or an instruction named is not an "
                 "unconfirmed one of the department")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Too short a message")
@bp.doc(**SECURED, description="The department's staff are told (督办); each instruction urged counts the urging. "
        "The department answers by confirming.")
@token_required
def urge(body):
    """Urge a department to confirm its overdue instructions (supervisors)."""
    urged = instructions.urge(db.session, actor_for(g.api_user), body["department"], body["message"],
                              body["instruction_ids"])
    db.session.commit()
    return urged
