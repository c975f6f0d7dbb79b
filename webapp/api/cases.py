"""Cases through the API: file, read, list, act. The same services as the pages."""
from __future__ import annotations

import base64
import binascii

import marshmallow as ma
from flask import current_app, g, request, url_for
from flask_smorest import Blueprint

from workflows.domain.errors import N_, InvalidInput, NotFound
from workflows.domain.supervision import DEADLINE_STATUSES
from workflows.processes import DEFINITIONS
from workflows.services.admin import departments
from workflows.services.casework import cases as case_service
from workflows.services.casework import evidence as evidence_service
from workflows.services.casework import queries
from workflows.services.casework.actors import actor_for
from workflows.services.casework.history_view import case_record
from workflows.services.processes import redlist_removal as removal_service
from workflows.services.supervision import deadline_filters
from workflows.store.base import utcnow

from ..extensions import db
from .documents import DocumentOut, document_json
from .v1 import ERROR_SCHEMA, token_required

bp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases", description="Cases of the four processes")

ACTIONS_DOC = "\n".join(
    f"- **{d.name}**: " + "; ".join(
        f"`{a.name}`" + (f" ({', '.join(f.name + ('' if f.required else '?') for f in a.fields)})" if a.fields else "")
        for a in d.actions if not a.automatic)
    for d in DEFINITIONS.values()
)


FILING_DOC = """Fields per process (`?` = optional):

- **objection**: `origin`? (`applicant`, the default; `department`; `complaint`), `list_entry_id` (or
  `broken_commitment_id`, a broken commitment of `GET /api/v1/subjects/{code}`), `grounds`. By origin: `applicant`
  (an account of the subject) disputes its own record, in force or exited and kept, with `contact_name`?,
  `contact_phone`?; `department` (a department's staff, its own finding: a record it supplied or whose measure it
  applies) starts verifying at once; `complaint` (anyone logged in) names `subject_code` and an entry the public
  lists show (anything else: 404, as for an entry that does not exist). Upload evidence to `/evidence`.
- **repair_exit** (an applicant): `list_entry_id`, `rectification`. The case starts as a draft: upload the proof
  to `/evidence`, then take `submit` with `commitment_signed: true` (and `public_service`?).
- **conditional_acceptance** (an applicant): `matter` (the licence matter's code), `missing` (ids of the deferrable
  materials that will follow), `signed: true`, `signatory`. An ineligible subject gets 403 `not_eligible` with
  `details.reasons`.
- **redlist_removal** (a department): an abuse report of red-list incentives. `list_entry_id` or `subject_code`,
  `reason` (at least 10 characters), `files`: at least one `{"name", "content"}` with the content in base64 (PDF,
  PNG or JPEG). The listing department decides it (`confirm_abuse` / `dismiss`). The other triggers open their
  case by themselves; changed criteria go through `/api/v1/red-list/re-evaluations`.

Send `Idempotency-Key` to make a retry return the first case."""


# actions whose files go with them: taken at their own multipart route, not at /actions/{action}
FILE_ROUTES = {"conditional_acceptance": {"submit_materials": "/api/v1/cases/{id}/materials/{{item}}/submit"}}


class DeadlineOut(ma.Schema):
    kind = ma.fields.String()
    due_on = ma.fields.Date(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True)
    status = ma.fields.String()
    working_days_left = ma.fields.Integer(allow_none=True)


class HistoryOut(ma.Schema):
    at = ma.fields.DateTime()
    actor = ma.fields.String()
    action = ma.fields.String()
    from_ = ma.fields.String(data_key="from", allow_none=True)
    to = ma.fields.String(allow_none=True)
    reason = ma.fields.String()


class EvidenceOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    uploaded_at = ma.fields.DateTime()
    url = ma.fields.String()


class CaseOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    process = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    subject_code = ma.fields.String(allow_none=True)
    list_entry_id = ma.fields.Integer(allow_none=True)
    department = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(metadata={"description": "send it back as `version` to act only on what you saw"})
    overdue = ma.fields.Boolean()
    filed_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    closed_at = ma.fields.DateTime(allow_none=True)
    data = ma.fields.Dict()
    available_actions = ma.fields.List(ma.fields.String())
    deadlines = ma.fields.List(ma.fields.Nested(DeadlineOut))
    history = ma.fields.List(ma.fields.Nested(HistoryOut))
    evidence = ma.fields.List(ma.fields.Nested(EvidenceOut))
    documents = ma.fields.List(ma.fields.Nested(DocumentOut), metadata={
        "description": "the written decisions issued on the case, numbered; `url` gives the PDF to a viewer"})


class CaseListOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CaseOut))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class CaseIn(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    process = ma.fields.String(required=True, validate=ma.validate.OneOf(sorted(DEFINITIONS)))


class ActionIn(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    version = ma.fields.Integer(load_default=None)


class CaseFilter(ma.Schema):
    q = ma.fields.String(load_default=None, data_key="q", validate=ma.validate.Length(max=100), metadata={
        "description": "words of the subject's name, its credit code, a case number (12 or #12) or a part of the "
                       "document number of the list entry the case concerns"})
    process = ma.fields.String(load_default=None)
    state = ma.fields.String(load_default=None)
    department = ma.fields.String(load_default=None)
    overdue = ma.fields.Boolean(load_default=None)
    inbox = ma.fields.Boolean(load_default=False, metadata={"description": "only cases waiting on the caller"})
    # the supervision figures' filters, as on the case list page (workflows.services.supervision.deadline_filters)
    deadline = ma.fields.String(load_default=None, validate=ma.validate.OneOf(DEADLINE_STATUSES), metadata={
        "description": "open cases whose worst open deadline has this status now"})
    deadline_owner = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"),
                                      metadata={"description": "cases with a legal deadline owned by this department "
                                                "(its code), `accepting_office` or `applicant`; with `deadline`, "
                                                "that deadline is in that status"})
    dated = ma.fields.String(load_default=None, validate=ma.validate.OneOf(deadline_filters.DATED), metadata={
        "description": "what `date_from`/`date_to` bound: `filed`, `open` (still open, filed then), `closed`, or a "
                       "legal deadline `breached` or `met` then (default: filed)"})
    date_from = ma.fields.Date(load_default=None)
    date_to = ma.fields.Date(load_default=None)
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


def case_json(case, actor) -> dict:
    now = utcnow()
    statuses = [queries.deadline_status(t, now) for t in case.timers]
    record = case_record(db.session(), case, actor)
    return {
        "id": case.id, "process": case.process, "state": case.state,
        "subject_code": case.subject.code if case.subject else None, "list_entry_id": case.list_entry_id,
        "department": departments.code_of(db.session(), case.department_id), "version": case.version,
        "overdue": any(s.status == "overdue" for s in statuses), "filed_at": case.filed_at,
        "updated_at": case.updated_at, "closed_at": case.closed_at, "data": case.data or {},
        "available_actions": case_service.available_actions(db.session(), case, actor),
        "deadlines": [{"kind": s.timer.kind, "due_on": s.timer.due_on, "due_at": s.timer.due_at, "status": s.status,
                       "working_days_left": s.working_days_left} for s in statuses],
        "history": record.history,
        "evidence": [{"id": f.id, "name": f.original_name, "content_type": f.content_type, "size": f.size,
                      "uploaded_at": f.uploaded_at,
                      "url": url_for("cases.evidence_file", case_id=case.id, file_id=f.id)} for f in record.evidence],
        "documents": [document_json(d) for d in record.documents],
    }


def committed(answer: dict) -> dict:
    """Commit the request's transaction after its answer was built: the answer reads what the transaction wrote
    and the configuration it read (department codes) without beginning another one."""
    db.session.commit()
    return answer


def _visible_case(case_id: int, actor, *, for_update: bool = False):
    case = case_service.get_case(db.session(), case_id, for_update=for_update)
    if not case_service.may_view(case, actor):
        raise NotFound(N_("no case #%(id)s"), field="case", id=case_id)
    return case


@bp.route("", methods=["POST"])
@bp.arguments(CaseIn)
@bp.response(201, CaseOut)
@bp.alt_response(403, schema=ERROR_SCHEMA, description="The caller may not file this process")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="A case of this kind is already open")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Invalid fields")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such list entry or subject")
@bp.doc(security=[{"bearerAuth": []}], description=FILING_DOC)
@token_required
def create(body):
    """File a case."""
    actor = actor_for(g.api_user)
    process = body.pop("process")
    key = request.headers.get("Idempotency-Key")
    submission_key = f"api:{g.api_user.id}:{key}" if key else None
    if process == "redlist_removal":
        config = current_app.config["CREDIT_CASES"]
        case = removal_service.report_abuse(db.session(), actor, body, decoded_files(body.get("files")),
                                            upload_dir=config.upload_dir, max_bytes=config.max_upload_bytes,
                                            submission_key=submission_key)
    else:
        case = case_service.file_case(db.session(), process, actor, body, submission_key=submission_key)
    return committed(case_json(case, actor))


def decoded_files(files) -> list[evidence_service.Upload]:
    """`files` of a JSON filing: [{"name": "report.pdf", "content": "<base64>"}, ...]."""
    if files in (None, []):
        return []
    if not isinstance(files, list):
        raise InvalidInput("'files' must be a list of {name, content} with the content in base64", field="files")
    uploads = []
    for number, item in enumerate(files, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("content"), str):
            raise InvalidInput(N_('file %(number)s: send {"name": ..., "content": <base64>}'), field="files",
                               number=number)
        try:
            content = base64.b64decode(item["content"], validate=True)
        except (binascii.Error, ValueError):
            name = evidence_service.clean_name(item["name"])
            raise InvalidInput(N_("file %(number)s ('%(name)s'): the content is not valid base64"), field="files",
                               number=number, name=name) from None
        uploads.append(evidence_service.Upload(item["name"], content))
    return uploads


@bp.route("", methods=["GET"])
@bp.arguments(CaseFilter, location="query")
@bp.response(200, CaseListOut)
@bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@bp.doc(security=[{"bearerAuth": []}])
@token_required
def index(filters):
    """The cases the caller may see, newest first (or by due date with `inbox=true`)."""
    actor = actor_for(g.api_user)
    search = filters.pop("q", None)
    page = queries.list_cases(db.session(), actor, search=search, **filters)
    return {"items": [case_json(c, actor) for c in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page}


@bp.route("/<int:case_id>", methods=["GET"])
@bp.response(200, CaseOut)
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such case, or not visible to the caller")
@bp.doc(security=[{"bearerAuth": []}])
@token_required
def show(case_id: int):
    """One case with its deadlines, history, evidence and the actions the caller may take."""
    actor = actor_for(g.api_user)
    return case_json(_visible_case(case_id, actor), actor)


@bp.route("/<int:case_id>/actions/<action>", methods=["POST"])
@bp.arguments(ActionIn)
@bp.response(200, CaseOut)
@bp.alt_response(403, schema=ERROR_SCHEMA, description="The caller's role or department may not take this action")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such case")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="The case's state does not allow it, or it changed meanwhile")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Invalid fields")
@bp.doc(security=[{"bearerAuth": []}], description="Actions and their fields (`?` = optional):\n" + ACTIONS_DOC)
@token_required
def act(body, case_id: int, action: str):
    """Take an action on a case."""
    actor = actor_for(g.api_user)
    case = _visible_case(case_id, actor, for_update=True)  # held from here: take_action reads it no more
    version = body.pop("version", None)
    body.pop("files", None)  # files travel as files, never as names in JSON
    if action in FILE_ROUTES.get(case.process, {}):
        raise InvalidInput(N_("'%(action)s' needs its file(s), which JSON cannot carry: send them as "
                              "multipart/form-data to %(url)s"), field="files", action=action,
                           url=FILE_ROUTES[case.process][action].format(id=case_id))
    case = case_service.take_action(db.session(), case_id, action, actor, body, expected_version=version)
    return committed(case_json(case, actor))


@bp.route("/<int:case_id>/evidence", methods=["POST"])
@bp.response(200, CaseOut)
@bp.alt_response(403, schema=ERROR_SCHEMA, description="The caller sees the case but does not act on it at this step")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="A file of the wrong type or too large")
@bp.doc(security=[{"bearerAuth": []}], description="multipart/form-data with one or more `files` (PDF, PNG, JPEG)")
@token_required
def upload(case_id: int):
    """Add evidence files to an open case: the parties who act on it at its present step (an action of theirs
    is open), not those who only see it."""
    actor = actor_for(g.api_user)
    case = _visible_case(case_id, actor)
    if case.closed_at is not None:
        raise InvalidInput("the case is closed: no more files", field="files")
    case_service.check_may_add(db.session(), case, actor)
    config = current_app.config["CREDIT_CASES"]
    uploads = [evidence_service.Upload(f.filename or "", f.read()) for f in request.files.getlist("files")]
    if not uploads:
        raise InvalidInput("send at least one file as 'files'", field="files")
    evidence_service.store(db.session(), case, uploads, actor, config.upload_dir, config.max_upload_bytes)
    db.session.commit()
    return case_json(case, actor)
