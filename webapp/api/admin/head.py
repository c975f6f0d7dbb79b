"""The head of supervision, who a case's second escalation goes to, through the API (administrators)."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.domain.roles import Role
from workflows.services.admin import settings as settings_service
from workflows.services.casework.actors import actor_for
from workflows.services.deliveries import notify
from workflows.services.supervision import urging as urging_service

from ...extensions import db
from .blueprint import SECURED, admin_only, bp, refusals

# --- the head of supervision ----------------------------------------------------------------------

class PersonOut(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()


class HeadOut(ma.Schema):
    user_id = ma.fields.Integer(metadata={"description": "0: nobody, every supervisor is told"})
    user = ma.fields.Nested(PersonOut, allow_none=True)
    candidates = ma.fields.List(ma.fields.Nested(PersonOut), metadata={"description": "the active supervisors"})


class HeadIn(ma.Schema):
    user_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=10**9),
                                metadata={"description": "an active supervisor's id, or 0 for every supervisor"})


def _head() -> dict:
    return {"user_id": settings_service.get(db.session, "supervision.head_user_id"),
            "user": urging_service.head_of_supervision(db.session),
            "candidates": notify.users_with_role(db.session, Role.SUPERVISOR)}


@bp.route("/head-of-supervision", methods=["GET"])
@admin_only
@bp.response(200, HeadOut)
@refusals(bp)
@bp.doc(**SECURED)
def head():
    """Who a case's second escalation goes to, and who may be chosen."""
    return _head()


@bp.route("/head-of-supervision", methods=["PUT"])
@admin_only
@bp.arguments(HeadIn)
@bp.response(200, HeadOut)
@refusals(bp, e422="Not an active supervisor, nor 0")
@bp.doc(**SECURED, description="A case still overdue a set number of working days after its deadline is escalated "
        "a second time, to this person; with nobody chosen (0), every supervisor is told.")
def change_head(body):
    """Choose the head of supervision."""
    urging_service.set_head_of_supervision(db.session, body["user_id"], actor_for(g.api_user))
    db.session.commit()
    return _head()
