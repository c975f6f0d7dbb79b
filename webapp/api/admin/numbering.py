"""The written decisions' numbering through the API (administrators): each department's pattern."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.services.casework.actors import actor_for
from workflows.services.documents import numbering

from ...extensions import db
from .blueprint import SECURED, admin_only, bp, refusals, text

PATTERN_DOC = ("the department's pattern: `{year}` and `{n}` required, `{kind}` (the document kind's mark, 修 for a "
               "credit repair decision) and `{department}` (its name) optional, e.g. `珠信{kind}〔{year}〕{n}号`")


class NumberingOut(ma.Schema):
    department = ma.fields.String(metadata={"description": "the department's code"})
    pattern = ma.fields.String(metadata={"description": PATTERN_DOC})
    default = ma.fields.Boolean(metadata={"description": "true: no pattern set, the default one applies"})


class NumberingIn(ma.Schema):
    pattern = text(60, required=True, metadata={"description": PATTERN_DOC})


@bp.route("/numbering", methods=["GET"])
@admin_only
@bp.response(200, NumberingOut(many=True))
@refusals(bp)
@bp.doc(**SECURED, description="Numbers count per department and year from 1, without gaps or repeats: each is "
        "taken in the transaction of the decision that issues it.")
def numbering_patterns():
    """Every department's numbering pattern."""
    return [{"department": d.code, "pattern": pattern, "default": not own}
            for d, pattern, own in numbering.patterns(db.session)]


@bp.route("/numbering/<code>", methods=["PUT"])
@admin_only
@bp.arguments(NumberingIn)
@bp.response(200, NumberingOut)
@refusals(bp, e404="No department with this code", e422="A pattern without `{year}` or `{n}`, with another "
          "placeholder, or longer than 60 characters")
@bp.doc(**SECURED, description="Applies to the documents issued from now on; issued numbers never change.")
def change_numbering(body, code: str):
    """Set a department's numbering pattern."""
    pattern = numbering.set_pattern(db.session, code, body["pattern"], actor_for(g.api_user))
    db.session.commit()
    return {"department": code, "pattern": pattern, "default": False}
