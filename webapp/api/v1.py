"""The JSON API under /api/v1: bearer tokens, the same service functions as the pages."""
from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import current_app, g, request
from flask_smorest import Blueprint
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workflows.domain.errors import DomainError
from workflows.domain.roles import KEY_ATTENTION_VIEWERS
from workflows.services.admin import accounts
from workflows.services.admin import calendar as calendar_service
from workflows.services.casework.actors import actor_for
from workflows.services.lists.responsible_persons import records_of, shown
from workflows.services.lists.subjects import subject_view
from workflows.services.processes.green_records import broken_commitments_of
from workflows.store.base import utcnow
from workflows.store.models import User

from ..extensions import db

TOKEN_MAX_AGE = 12 * 3600

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
            "required": ["code", "message", "details"],
        }
    },
}

auth_bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Tokens for the API")
subjects_bp = Blueprint("api_subjects", __name__, url_prefix="/api/v1/subjects", description="Credit subjects")


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    http_status = 429


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def issue_token(user: User) -> str:
    # the session generation ends the token with the user's log-out, a new password or disabling; a token carries
    # no part of the password hash
    return _serializer().dumps({"uid": user.id, "sv": user.session_version})


TOKEN_FIRST = "reads_its_token_first"  # a view's mark: the calendar is installed after its token's user is read


def token_required(view):
    """The bearer token's user in `g.api_user` (an `accounts.SignedIn` value, no account row), or 401. The user's
    read is the request's first statement and carries the configuration's stamps; the calendar is installed after
    it (webapp._calendar_as_stored leaves such a view alone)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthorized("send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)")
        try:
            data = _serializer().loads(header[7:], max_age=TOKEN_MAX_AGE)
        except SignatureExpired:
            raise Unauthorized("the token has expired: ask for a new one") from None
        except BadSignature:
            raise Unauthorized("the token is not valid") from None
        uid = data.get("uid") if isinstance(data, dict) else None
        user = accounts.signed_in(db.session(), uid) if isinstance(uid, int) else None
        if user is None or not user.active or user.session_version != data.get("sv"):
            raise Unauthorized("the token is no longer valid")
        g.api_user = user
        calendar_service.install_from(db.session())
        return view(*args, **kwargs)

    setattr(wrapped, TOKEN_FIRST, True)  # kept by the decorators around it (functools.wraps copies __dict__)
    return wrapped


class TokenRequest(ma.Schema):
    username = ma.fields.String(required=True)
    password = ma.fields.String(required=True, load_only=True)


class TokenResponse(ma.Schema):
    token = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True)


@auth_bp.route("/token", methods=["POST"])
@auth_bp.arguments(TokenRequest)
@auth_bp.response(200, TokenResponse)
@auth_bp.alt_response(401, schema=ERROR_SCHEMA, description="Wrong user name or password (the same answer for a name no "
                      "account has), or a disabled account")
@auth_bp.alt_response(429, schema=ERROR_SCHEMA, description="Too many failed attempts from this client: "
                      "`details.retry_after` seconds to wait (the account itself is never locked)")
def token(body):
    """Exchange a user name and password for a bearer token."""
    try:
        user = accounts.authenticate(db.session(), body["username"], body["password"], now=utcnow(),
                                     client=request.remote_addr or "")
    except accounts.LoginRefused as refused:
        db.session.commit()
        if refused.retry_after:
            raise TooManyAttempts(str(refused), details={"retry_after": refused.retry_after}) from None
        raise Unauthorized(str(refused)) from None
    db.session.commit()
    return {"token": issue_token(user), "expires_in": TOKEN_MAX_AGE}


class MeasureOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String(attribute="catalogue.code")
    name = ma.fields.String(attribute="catalogue.name")
    effect = ma.fields.String(attribute="catalogue.effect")
    obligation = ma.fields.String(attribute="catalogue.obligation")
    department = ma.fields.String(attribute="department.code")
    status = ma.fields.String()


class EntryOut(ma.Schema):
    id = ma.fields.Integer()
    list = ma.fields.String(attribute="list_kind")
    status = ma.fields.String()
    department = ma.fields.String(attribute="department.code")
    basis = ma.fields.String()
    document_no = ma.fields.String()
    listed_on = ma.fields.Date()
    valid_until = ma.fields.Date()
    exit_reason = ma.fields.String(allow_none=True, metadata={
        "description": "expired, repaired, objection_upheld, criteria_changed, blacklisted, abuse; a red-list entry "
                       "that left for a blacklisting or a finding that is not public reads `misconduct` to a caller "
                       "who may not see the key-attention list"})
    measures = ma.fields.List(ma.fields.Nested(MeasureOut))


class ResponsiblePersonOut(ma.Schema):
    role = ma.fields.String(metadata={"description": "legal_representative or responsible_person"})
    name = ma.fields.String(metadata={"description": "in full for staff and the person itself; by surname otherwise"})
    code = ma.fields.String(allow_none=True, metadata={"description": "the resident ID number: staff only"})


class SubjectEntryOut(EntryOut):
    responsible_persons = ma.fields.List(ma.fields.Nested(ResponsiblePersonOut), metadata={
        "description": "an enterprise's blacklisting: its legal representative and directly responsible persons"})


class PersonalRecordOut(ma.Schema):
    role = ma.fields.String()
    list_entry_id = ma.fields.Integer(attribute="entry.id")
    list = ma.fields.String(attribute="entry.list_kind")
    status = ma.fields.String(metadata={"description": "the enterprise entry's: suspended, exited, ... with it"})
    exit_reason = ma.fields.String(attribute="entry.exit_reason", allow_none=True)
    enterprise_code = ma.fields.String(attribute="entry.subject.code", allow_none=True)
    enterprise_name = ma.fields.String(attribute="entry.subject.name", allow_none=True)
    listed_on = ma.fields.Date(attribute="entry.listed_on")
    valid_until = ma.fields.Date(attribute="entry.valid_until")


class ShownEntry:
    """A list entry with its exit reason and responsible persons as the caller may read them
    (subjects.shown_exit_reason, responsible_persons.shown)."""

    def __init__(self, entry, exit_reason: str | None, entitled: bool = False):
        self._entry, self.exit_reason = entry, exit_reason
        self.responsible_persons = [p for p in (shown(link, entitled) for link in entry.responsible_persons) if p]

    def __getattr__(self, name: str):
        return getattr(self._entry, name)


class BrokenCommitmentOut(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "object to it with POST /api/v1/cases, process objection, "
                                                    "`broken_commitment_id`"})
    case_id = ma.fields.Integer(metadata={"description": "the green-channel case"})
    matter = ma.fields.String(attribute="matter_name")
    missed = ma.fields.String(metadata={"description": "the materials not supplied in time"})
    due_on = ma.fields.Date(metadata={"description": "the deadline that was missed"})
    recorded_on = ma.fields.Date()
    status = ma.fields.String(metadata={"description": "active; suspended while an objection is verified (it does "
                                                       "not count meanwhile); revoked once an objection was upheld"})
    correction = ma.fields.String()


class SubjectOut(ma.Schema):
    code = ma.fields.String()
    kind = ma.fields.String()
    name = ma.fields.String()
    entries = ma.fields.List(ma.fields.Nested(SubjectEntryOut))
    personal_records = ma.fields.List(ma.fields.Nested(PersonalRecordOut), metadata={
        "description": "a person's: the enterprise listings it is named in as legal representative or directly "
                       "responsible person, each with the enterprise entry's status; only for the person itself and "
                       "entitled staff; absent otherwise"})
    broken_commitments = ma.fields.List(ma.fields.Nested(BrokenCommitmentOut), metadata={
        "description": "the credit file's broken written commitments: only for the subject itself and entitled "
                       "staff (never public); absent otherwise"})


@subjects_bp.route("/<code>")
@subjects_bp.response(200, SubjectOut)
@subjects_bp.alt_response(401, schema=ERROR_SCHEMA, description="No or bad token")
@subjects_bp.alt_response(404, schema=ERROR_SCHEMA, description="No such subject")
@subjects_bp.alt_response(422, schema=ERROR_SCHEMA, description="Malformed code")
@subjects_bp.doc(security=[{"bearerAuth": []}])
@token_required
def get_subject(code: str):
    """A subject with its list entries and measures, as the caller may see them."""
    view = subject_view(db.session(), code, actor_for(g.api_user))
    subject = view.subject
    staff = bool(g.api_user.roles & KEY_ATTENTION_VIEWERS)
    entries = [ShownEntry(entry, view.exit_reason_of(entry), staff) for entry in view.entries]
    answer = {"code": subject.code, "kind": subject.kind, "name": subject.name, "entries": entries}
    if view.shows_key_attention:  # the subject itself and entitled staff: the credit file, not a public list
        answer["broken_commitments"] = broken_commitments_of(db.session(), subject.id)
        answer["personal_records"] = records_of(db.session(), subject)
    return answer
