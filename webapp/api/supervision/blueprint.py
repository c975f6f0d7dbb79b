"""The supervision API's blueprint, the caller it serves, and what its resources share: the period asked for,
an urging as it is shown, the link to the cases behind a figure."""
from __future__ import annotations

import marshmallow as ma
from flask import g, url_for
from flask_smorest import Blueprint

from workflows.domain.errors import RoleNotAllowed
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.casework.actors import actor_for

bp = Blueprint("api_supervision", __name__, url_prefix="/api/v1/supervision",
               description="Supervision (督办): figures, urging, monthly reports")
SECURED = {"security": [{"bearerAuth": []}]}
CASES_DOC = "`GET` this to list the cases behind the figure (`/api/v1/cases` with the figure's filters)"


def supervisor() -> Actor:
    """The caller, who must be a supervisor or an administrator (as for the supervision pages)."""
    actor = actor_for(g.api_user)
    if not actor.roles & {Role.SUPERVISOR, Role.ADMINISTRATOR}:
        raise RoleNotAllowed("only supervisors and administrators may read the supervision figures and reports")
    return actor


def cases_url(filters: dict | None) -> str | None:
    return None if filters is None else url_for("api_cases.index", **filters)


# --- schemas --------------------------------------------------------------------------------------

class PeriodQuery(ma.Schema):
    start = ma.fields.Date(load_default=None, metadata={"description": "first day (default: the first of `end`'s "
                                                                      "month); not in the future"})
    end = ma.fields.Date(load_default=None, metadata={"description": "last day (default: today)"})


class UrgingOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    case_id = ma.fields.Integer(required=True)
    process = ma.fields.String(attribute="case.process")
    department = ma.fields.String(attribute="department.code", required=True)
    message = ma.fields.String(required=True)
    reply_by = ma.fields.Date(required=True)
    urged_by = ma.fields.String(attribute="urged_by_label")
    urged_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={"description": "open, late, replied, replied_late"})
    reply = ma.fields.String()
    replied_by = ma.fields.String(attribute="replied_by_label")
    replied_at = ma.fields.DateTime(allow_none=True)
