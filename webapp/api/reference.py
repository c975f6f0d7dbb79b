"""The public lists (no token), reference data (departments, measures, time limits, working days) and the
caller's notifications through the API."""
from __future__ import annotations

import marshmallow as ma
from flask import g, jsonify, request
from flask_smorest import Blueprint

from sla.calendar import local_date
from workflows.services.hub import hub_queries
from workflows.services.lists import public_lists
from workflows.store.base import utcnow

from ..extensions import db
from .v1 import ERROR_SCHEMA, token_required

public_bp = Blueprint("api_public", __name__, url_prefix="/api/v1/public",
                      description="The public red list and blacklist; no token needed")
reference_bp = Blueprint("api_reference", __name__, url_prefix="/api/v1",
                         description="Reference data: departments, the measure catalogue, time limits, working days, "
                                     "and the caller's notifications")
SECURED = {"security": [{"bearerAuth": []}]}


class PublicQuery(ma.Schema):
    q = ma.fields.String(load_default="", metadata={"description": "a name (or part of it) or a full code"})
    list_kind = ma.fields.String(data_key="list", load_default=None, metadata={"description": "red or black"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10_000))


class PublicEntryOut(ma.Schema):
    list = ma.fields.String(attribute="list_kind")
    subject_name = ma.fields.String()
    subject_code = ma.fields.String(metadata={"description": "a person's ID number is shown masked"})
    department = ma.fields.String(attribute="department.name")
    basis = ma.fields.String()
    document_no = ma.fields.String()
    listed_on = ma.fields.Date()
    valid_until = ma.fields.Date()
    published_channel = ma.fields.String()


class PublicPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PublicEntryOut))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


@public_bp.route("/list-entries", methods=["GET"])
@public_bp.arguments(PublicQuery, location="query")
@public_bp.alt_response(200, schema=PublicPageOut, description="Matching entries (with ETag and Cache-Control)")
@public_bp.alt_response(422, schema=ERROR_SCHEMA, description="Not a public list")
def public_entries(args):
    """Search the public red list and blacklist (never the key-attention list)."""
    page = public_lists.search(db.session, args["q"], list_kind=args["list_kind"], today=local_date(utcnow()),
                               page=args["page"])
    body = {"items": PublicEntryOut(many=True).dump(page.items), "total": page.total, "page": page.page,
            "per_page": page.per_page}
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=300"  # no cookie, no token: the same for everyone
    response.add_etag()
    return response.make_conditional(request)


# --- reference data and notifications ---

class DepartmentOut(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "for /api/v1/admin/departments/{id}"})
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    email = ma.fields.String()
    active = ma.fields.Boolean()


class CatalogueOut(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "for /api/v1/admin/measures/{id}"})
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    effect = ma.fields.String()
    obligation = ma.fields.String()
    department = ma.fields.String(attribute="department.code")
    legal_basis = ma.fields.String()
    active = ma.fields.Boolean()


class WorkingDaysQuery(ma.Schema):
    start = ma.fields.Date(required=True)
    days = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=366))


class WorkingDaysOut(ma.Schema):
    start = ma.fields.Date()
    days = ma.fields.Integer()
    due_on = ma.fields.Date()


class NotificationOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    case_id = ma.fields.Integer(allow_none=True)
    subject = ma.fields.String()
    body = ma.fields.String()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


class PageQuery(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    unread = ma.fields.Boolean(load_default=False)


@reference_bp.route("/departments", methods=["GET"])
@reference_bp.response(200, DepartmentOut(many=True))
@reference_bp.doc(**SECURED)
@token_required
def departments():
    """The departments."""
    return hub_queries.departments(db.session)


@reference_bp.route("/measures", methods=["GET"])
@reference_bp.response(200, CatalogueOut(many=True))
@reference_bp.doc(**SECURED)
@token_required
def measures():
    """The measure catalogue (联合奖惩措施清单)."""
    return hub_queries.catalogue(db.session)


@reference_bp.route("/calendar/working-days", methods=["GET"])
@reference_bp.arguments(WorkingDaysQuery, location="query")
@reference_bp.response(200, WorkingDaysOut)
@reference_bp.alt_response(422, schema=ERROR_SCHEMA, description="A year the calendar has no data for")
@reference_bp.doc(**SECURED)
@token_required
def working_days(args):
    """The end of a limit of `days` working days from `start` (the start day not counted)."""
    return {**args, "due_on": hub_queries.add_working_days(db.session, args["start"], args["days"])}


class SettingOut(ma.Schema):
    key = ma.fields.String()
    value = ma.fields.Raw(metadata={"description": "a number of (working) days, a switch, or a name (the statement "
                                                   "of rights' bodies)"})


class ArrangementOut(ma.Schema):
    year = ma.fields.Integer()
    days_off = ma.fields.List(ma.fields.Date())
    working_days = ma.fields.List(ma.fields.Date(), metadata={"description": "make-up working days (调休)"})


@reference_bp.route("/settings", methods=["GET"])
@reference_bp.response(200, SettingOut(many=True))
@reference_bp.doc(**SECURED)
@token_required
def time_limits():
    """The time limits and switches in force (the administrator's values, else the defaults)."""
    return [{"key": key, "value": value} for key, value in hub_queries.settings(db.session).items()]


@reference_bp.route("/calendar/years", methods=["GET"])
@reference_bp.response(200, ArrangementOut(many=True))
@reference_bp.doc(**SECURED)
@token_required
def calendar_years():
    """The holiday arrangements an administrator imported (they take precedence over the packaged data)."""
    return [{"year": a.year, "days_off": sorted(a.days_off), "working_days": sorted(a.working_days)}
            for a in hub_queries.arrangements(db.session)]


@reference_bp.route("/notifications", methods=["GET"])
@reference_bp.arguments(PageQuery, location="query")
@reference_bp.response(200, NotificationOut(many=True))
@reference_bp.doc(**SECURED)
@token_required
def notifications(args):
    """The caller's notifications, newest first, 50 a page."""
    return hub_queries.notifications(db.session, g.api_user.id, page=args["page"], unread=args["unread"])


@reference_bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@reference_bp.response(200, NotificationOut)
@reference_bp.alt_response(404, schema=ERROR_SCHEMA, description="Not the caller's notification")
@reference_bp.doc(**SECURED)
@token_required
def mark_read(notification_id: int):
    """Mark one of the caller's notifications read."""
    note = hub_queries.mark_read(db.session, g.api_user.id, notification_id)
    db.session.commit()
    return note


