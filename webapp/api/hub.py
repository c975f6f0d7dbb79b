"""The hub's API: list entries in (one, or a file), the credit-status query out (应查必查), who looked."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, g, request
from flask_smorest import Blueprint

from sla.calendar import local_date
from workflows.domain.errors import InvalidInput
from workflows.domain.lists import ListKind
from workflows.services.admin import departments
from workflows.services.casework.actors import actor_for
from workflows.services.hub import credit_queries, hub_queries
from workflows.services.lists import bulk_import, responsible_persons
from workflows.services.lists.listings import ListingRequest, check_listing_department, list_for_department
from workflows.store.base import utcnow

from ..errors import error_response
from ..extensions import db
from .v1 import ERROR_SCHEMA, EntryOut, PersonalRecordOut, token_required

entries_bp = Blueprint("api_list_entries", __name__, url_prefix="/api/v1/list-entries",
                       description="List entries: record one, import a file, read them (staff)")
status_bp = Blueprint("api_credit_status", __name__, url_prefix="/api/v1/subjects",
                      description="The credit-status query (应查必查) and who looked")
SECURED = {"security": [{"bearerAuth": []}]}


# --- list entries ---

class PersonIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(max=40),
                            metadata={"description": "the resident ID number (GB 11643-1999, check digit validated)"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=200))
    role = ma.fields.String(load_default=responsible_persons.RESPONSIBLE_PERSON,
                            validate=ma.validate.OneOf(responsible_persons.ROLES))


class EntryIn(ma.Schema):
    subject_code = ma.fields.String(required=True)
    subject_name = ma.fields.String(required=True)
    list_kind = ma.fields.String(data_key="list", required=True,
                                 validate=ma.validate.OneOf([k.value for k in ListKind]))
    basis = ma.fields.String(required=True)
    document_no = ma.fields.String(load_default="")
    listed_on = ma.fields.Date(required=True)
    valid_until = ma.fields.Date(required=True)
    measures = ma.fields.List(ma.fields.String(), load_default=list, metadata={"description": "catalogue codes"})
    category = ma.fields.String(load_default="")
    published_channel = ma.fields.String(load_default="", metadata={"description": "where a public listing is published"})
    department = ma.fields.String(load_default=None, metadata={"description": "administrators only; "
                                                                             "a department lists for itself"})
    responsible_persons = ma.fields.List(ma.fields.Nested(PersonIn), load_default=list,
                                         validate=ma.validate.Length(max=responsible_persons.MAX_PERSONS), metadata={
                                             "description": "an enterprise's blacklisting (落实到人): its legal "
                                                            "representative and the directly responsible persons"})


class StaffPersonOut(ma.Schema):
    role = ma.fields.String()
    name = ma.fields.String(attribute="person.name", allow_none=True)
    code = ma.fields.String(attribute="person.code", allow_none=True)
    status = ma.fields.String(metadata={"description": "the entry's: the person's record follows it"})


class StaffEntryOut(EntryOut):
    responsible_persons = ma.fields.List(ma.fields.Nested(StaffPersonOut))
    subject_code = ma.fields.String(attribute="subject.code", allow_none=True)
    subject_name = ma.fields.String(attribute="subject.name", allow_none=True)
    category = ma.fields.String()
    published_channel = ma.fields.String()


class EntryListOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StaffEntryOut))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class EntryFilter(ma.Schema):
    list_kind = ma.fields.String(data_key="list", load_default=None,
                                 validate=ma.validate.OneOf([k.value for k in ListKind]))
    status = ma.fields.String(load_default=None)
    department = ma.fields.String(load_default=None)
    subject = ma.fields.String(load_default=None, metadata={"description": "a subject's code"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


class ImportOut(ma.Schema):
    recorded = ma.fields.Integer()
    list_entry_ids = ma.fields.List(ma.fields.Integer())


def _department_code(requested: str | None) -> str:
    return requested or departments.code_of(db.session(), g.api_user.department_id) or ""


@entries_bp.route("", methods=["POST"])
@entries_bp.arguments(EntryIn)
@entries_bp.response(201, StaffEntryOut)
@entries_bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department, or another department")
@entries_bp.alt_response(409, schema=ERROR_SCHEMA, description="The subject already has an open entry on this list")
@entries_bp.alt_response(422, schema=ERROR_SCHEMA, description="A bad code, an unknown measure, a past validity")
@entries_bp.doc(**SECURED, description="Records the listing with its measures; each implementing department is "
                "told (inbox, e-mail, webhook). Public listings appear on the public list pages.")
@token_required
def create_entry(body):
    """Record a listing (a listing department, for itself)."""
    actor = actor_for(g.api_user)
    request_ = ListingRequest(body["subject_code"], body["subject_name"], body["list_kind"],
                              _department_code(body.get("department")), body["basis"], body["document_no"],
                              body["listed_on"], body["valid_until"], body["measures"], body["category"],
                              body["published_channel"],
                              [responsible_persons.NamedPerson(p["code"], p["name"], p["role"])
                               for p in body["responsible_persons"]])
    entry = list_for_department(db.session, request_, actor)
    db.session.commit()
    return entry


@entries_bp.route("/import", methods=["POST"])
@entries_bp.response(201, ImportOut)
@entries_bp.alt_response(403, schema=ERROR_SCHEMA, description="Not a listing department")
@entries_bp.alt_response(422, schema=ERROR_SCHEMA, description="Problems in the file, each in details.problems as "
                         "{row, column, message}; nothing was recorded")
@entries_bp.doc(**SECURED, description="multipart/form-data with one `file` (CSV in UTF-8 or GB18030, or XLSX) and "
                "the columns " + ", ".join(bulk_import.COLUMNS) + " (optional: " + ", ".join(bulk_import.OPTIONAL)
                + "). All rows or none.")
@token_required
def import_entries():
    """Record listings in bulk from a file."""
    actor = actor_for(g.api_user)
    department = _department_code(request.form.get("department"))
    check_listing_department(actor, department, db.session)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("send the file as multipart field 'file'", field="file")
    entries = bulk_import.import_listings(db.session, upload.filename, upload.read(), actor,
                                          department_code=department, today=local_date(utcnow()))
    db.session.commit()
    return {"recorded": len(entries), "list_entry_ids": [e.id for e in entries]}


@entries_bp.route("", methods=["GET"])
@entries_bp.arguments(EntryFilter, location="query")
@entries_bp.response(200, EntryListOut)
@entries_bp.alt_response(403, schema=ERROR_SCHEMA, description="Not staff")
@entries_bp.doc(**SECURED)
@token_required
def list_entries(filters):
    """List entries for staff, newest first (the key-attention list included: staff are entitled)."""
    page = hub_queries.entries_for_staff(db.session, actor_for(g.api_user), **filters)
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@entries_bp.route("/<int:entry_id>", methods=["GET"])
@entries_bp.response(200, StaffEntryOut)
@entries_bp.alt_response(404, schema=ERROR_SCHEMA, description="No such entry, or not visible to the caller")
@entries_bp.doc(**SECURED)
@token_required
def show_entry(entry_id: int):
    """One list entry with its measures, as the caller may see it."""
    return hub_queries.entry_for(db.session, actor_for(g.api_user), entry_id)


# --- credit status ---

class ReasonOut(ma.Schema):
    code = ma.fields.String()
    message = ma.fields.String()
    supports = ma.fields.Boolean()


class GreenOut(ma.Schema):
    eligible = ma.fields.Boolean()
    reasons = ma.fields.List(ma.fields.Nested(ReasonOut))


class StatusEntryOut(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    department = ma.fields.String(attribute="department.code")
    basis = ma.fields.String()
    document_no = ma.fields.String()
    listed_on = ma.fields.Date()
    valid_until = ma.fields.Date()


class CreditStatusOut(ma.Schema):
    subject_code = ma.fields.String()
    subject_name = ma.fields.String()
    as_of = ma.fields.DateTime()
    red = ma.fields.List(ma.fields.Nested(StatusEntryOut))
    black = ma.fields.List(ma.fields.Nested(StatusEntryOut))
    key_attention = ma.fields.List(ma.fields.Nested(StatusEntryOut), allow_none=True,
                                   metadata={"description": "only for entitled callers; absent otherwise"})
    green_channel = ma.fields.Nested(GreenOut, metadata={
        "description": "green-channel eligibility: only for the subject itself and entitled departments; absent "
                       "otherwise (the public lists alone)"})
    personal_records = ma.fields.List(ma.fields.Nested(PersonalRecordOut), metadata={
        "description": "a person's open records as legal representative or directly responsible person of a "
                       "blacklisted enterprise (落实到人): only for the person itself and entitled departments"})
    query_id = ma.fields.Integer(metadata={"description": "the record of this query in the subject's query log"})


class StatusQuery(ma.Schema):
    purpose = ma.fields.String(load_default=None, metadata={"description": "required: what the query is for"})


class QueryLogOut(ma.Schema):
    at = ma.fields.DateTime()
    caller = ma.fields.String(attribute="caller_label")
    department = ma.fields.String(attribute="caller_department.code", allow_none=True)
    purpose = ma.fields.String()


def rate_limit() -> credit_queries.RateLimit:
    limit, window = current_app.config.get("CREDIT_STATUS_RATE_LIMIT", (credit_queries.DEFAULT_LIMIT,
                                                                        credit_queries.DEFAULT_WINDOW))
    return credit_queries.RateLimit(int(limit), int(window))


@status_bp.route("/<code>/credit-status", methods=["GET"])
@status_bp.arguments(StatusQuery, location="query")
@status_bp.response(200, CreditStatusOut)
@status_bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@status_bp.alt_response(404, schema=ERROR_SCHEMA, description="No such subject")
@status_bp.alt_response(422, schema=ERROR_SCHEMA, description="No purpose stated, or a malformed code")
@status_bp.alt_response(429, schema=ERROR_SCHEMA, description="Too many queries by this caller: see Retry-After")
@status_bp.doc(**SECURED, description="Every call is recorded (caller, subject, purpose, time); the subject sees "
               "who looked. Rate-limited per caller (default 60 a minute).")
@token_required
def credit_status(args, code: str):
    """The credit status an approval system checks before it decides (应查必查)."""
    try:
        status, record = credit_queries.query_status(db.session, code, actor_for(g.api_user), args.get("purpose"),
                                             rate=rate_limit())
    except credit_queries.RateLimited as limited:
        db.session.rollback()
        response = error_response(429, limited.code, limited.message, limited.details)
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    db.session.commit()
    answer = {"subject_code": status.subject.code, "subject_name": status.subject.name, "as_of": status.as_of,
              **status.entries, "query_id": record.id}
    if status.shows_key_attention:
        answer["personal_records"] = [r for r in responsible_persons.records_of(db.session, status.subject)
                                      if r.entry.is_open]
    if status.green_channel is not None:
        answer["green_channel"] = {"eligible": status.green_channel.eligible,
                                   "reasons": list(status.green_channel.reasons)}
    return answer


@status_bp.route("/<code>/credit-queries", methods=["GET"])
@status_bp.response(200, QueryLogOut(many=True))
@status_bp.alt_response(404, schema=ERROR_SCHEMA, description="Not the subject itself nor entitled staff")
@status_bp.doc(**SECURED)
@token_required
def who_looked(code: str):
    """Who queried this subject's credit status, why and when (the subject itself, or staff)."""
    return credit_queries.who_looked(db.session, code, actor_for(g.api_user))
