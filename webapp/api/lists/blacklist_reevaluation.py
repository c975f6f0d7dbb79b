"""Blacklist re-evaluation against changed criteria, through the API: a preview, then the exits onto the
key-attention list."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.services.casework.actors import actor_for
from workflows.services.lists import blacklist_reevaluation as reevaluation
from workflows.store.models import ListEntry

from ...extensions import db
from ..hub import StaffEntryOut
from ..v1 import ERROR_SCHEMA, token_required
from .blueprint import MAX_ID, SECURED, bp
from .reevaluation import ReevaluationRuleIn, rule_of


class BlacklistReevaluationIn(ReevaluationRuleIn):
    entry_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID)), required=True,
                               validate=ma.validate.Length(max=1000),
                               metadata={"description": "the previewed entries to exit"})
    key_attention_until = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "the last day on the key-attention list (or give key_attention_months)"})
    key_attention_months = ma.fields.Integer(load_default=None, allow_none=True,
                                             validate=ma.validate.Range(min=1, max=600), metadata={
                                                 "description": "months on the key-attention list, from today"})


class BlacklistPreviewOut(ma.Schema):
    total = ma.fields.Integer()
    entries = ma.fields.List(ma.fields.Nested(StaffEntryOut))


class BlacklistReevaluationOut(ma.Schema):
    exited = ma.fields.List(ma.fields.Nested(StaffEntryOut), metadata={
        "description": "the blacklist entries, now exited with the reason criteria_changed"})
    key_attention = ma.fields.List(ma.fields.Nested(StaffEntryOut), metadata={
        "description": "the subjects' key-attention entries that follow (not public)"})


@bp.route("/blacklist/re-evaluations/preview", methods=["POST"])
@bp.arguments(ReevaluationRuleIn)
@bp.response(200, BlacklistPreviewOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="No criterion stated, no condition, or the rule matches none "
                 "of the department's active blacklist entries")
@bp.doc(**SECURED, description="The caller's department's active blacklist entries matching every given condition "
        "(category, listed_before, basis_contains). An entry under verification is not among them. Changes nothing.")
@token_required
def blacklist_reevaluation_preview(body):
    """Preview a re-evaluation of the blacklist against changed criteria (a listing department)."""
    entries = reevaluation.preview(db.session, actor_for(g.api_user), rule_of(body))
    return {"total": len(entries), "entries": entries}


@bp.route("/blacklist/re-evaluations", methods=["POST"])
@bp.arguments(BlacklistReevaluationIn)
@bp.response(201, BlacklistReevaluationOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A bad rule, no entry chosen, an entry the rule does not "
                 "match, or no (or a past) key-attention validity; nothing exits")
@bp.doc(**SECURED, description="Exits the chosen entries of the preview, all or none, with the reason "
        "`criteria_changed`: their measures stop and the implementing departments are told, each exit is announced "
        "through the original channel and pushed to the platform, and each subject goes onto the key-attention list "
        "until the day set (`key_attention_until`, or `key_attention_months` from today) and is warned.")
@token_required
def blacklist_reevaluate(body):
    """Exit the blacklist entries that the changed criteria no longer cover (a listing department, its own)."""
    actor = actor_for(g.api_user)
    ids = list(body["entry_ids"])
    keys = reevaluation.confirm(db.session, actor, rule_of(body), ids, body)
    db.session.commit()
    exited = [e for e in (db.session.get(ListEntry, i) for i in ids) if e is not None]
    return {"exited": exited, "key_attention": keys}
