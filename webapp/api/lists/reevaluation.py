"""Red-list re-evaluation against changed criteria, through the API: a preview, then the removals."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.services.casework.actors import actor_for
from workflows.services.lists.reevaluation import Reevaluation
from workflows.services.processes import redlist_removal as removal

from ...extensions import db
from ..cases import CaseOut, case_json
from ..hub import StaffEntryOut
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import MAX_ID, SECURED, bp, text


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


def rule_of(body: dict) -> Reevaluation:
    """The stated rule of a red-list or blacklist re-evaluation."""
    return Reevaluation(statement=body["statement"], category=body["category"],
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
    entries = removal.reevaluation_preview(db.session, actor_for(g.api_user), rule_of(body))
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
    cases = removal.confirm_reevaluation(db.session, actor, rule_of(body), body["entry_ids"])
    db.session.commit()
    return {"removed": len(cases), "cases": [case_json(c, actor) for c in cases]}
