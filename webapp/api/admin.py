"""Administration through the API: users, claims, departments, measures, settings, calendar, licence matters, the
head of supervision; and the accounts' own endpoints (signing up, the caller's account)."""
from __future__ import annotations

import json
from functools import wraps

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint

from workflows.domain.errors import InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import MeasureEffect, MeasureObligation
from workflows.domain.roles import Role
from workflows.domain.settings import SETTINGS
from workflows.services import accounts, administration, catalogue, licence_matters, notify
from workflows.services import calendar as calendar_service
from workflows.services import settings as settings_service
from workflows.services import urging as urging_service
from workflows.services.actors import actor_for

from .reference import ArrangementOut, CatalogueOut, DepartmentOut, SettingOut
from .v1 import ERROR_SCHEMA, token_required
from ..extensions import db

bp = Blueprint("api_admin", __name__, url_prefix="/api/v1/admin",
               description="Administration (administrators; claims also the credit office)")
accounts_bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1/accounts",
                        description="Signing up as an applicant, and the caller's own account")
SECURED = {"security": [{"bearerAuth": []}]}
ROLE_NAMES = [r.value for r in Role]


def allowed(*roles: Role, who: str):
    """A valid token of one of `roles`, checked before the body is read: anyone else gets 401 or 403 and
    learns nothing about the input."""

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if not g.api_user.has_role(*roles):
                raise RoleNotAllowed(f"only {who} may do this", field="role")
            return view(*args, **kwargs)

        return token_required(checked)

    return decorator


admin_only = allowed(Role.ADMINISTRATOR, who="an administrator")
office_or_admin = allowed(Role.ACCEPTING_OFFICE, Role.ADMINISTRATOR, who="the credit office or an administrator")


def refusals(blueprint: Blueprint, **codes: str):
    """401 and 403 as every administrative endpoint answers them, and the endpoint's own codes (`e404=...`)."""
    described = {401: "No token, or a bad or expired one", 403: "The caller's role may not do this",
                 **{int(code[1:]): text for code, text in codes.items()}}

    def decorator(view):
        for status in sorted(described, reverse=True):
            view = blueprint.alt_response(status, schema=ERROR_SCHEMA, description=described[status])(view)
        return view

    return decorator


def text(maximum: int, *, required: bool = False, minimum: int = 0, validate_also=None, **kwargs) -> ma.fields.String:
    validators = [ma.validate.Length(min=minimum, max=maximum), *([validate_also] if validate_also else [])]
    if not required:
        kwargs.setdefault("load_default", "")
    return ma.fields.String(required=required, validate=validators, **kwargs)


def _stripped_length(minimum: int, maximum: int):
    def check(value: str) -> None:
        if not minimum <= len(value.strip()) <= maximum:
            raise ma.ValidationError(f"must be {minimum} to {maximum} characters")

    return check


def _email_or_nothing(value: str) -> None:
    if value:
        ma.validate.Email(error="not a valid e-mail address")(value)


def email_field() -> ma.fields.String:
    return text(200, validate_also=_email_or_nothing)


def username_field() -> ma.fields.String:
    return ma.fields.String(required=True, validate=_stripped_length(3, 80))


# --- accounts -------------------------------------------------------------------------------------

class AccountOut(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    email = ma.fields.String()
    phone = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    department = ma.fields.String(allow_none=True, metadata={"description": "the department's code"})
    subject_code = ma.fields.String(allow_none=True)
    subject_name = ma.fields.String(allow_none=True)
    claim_status = ma.fields.String(metadata={"description": "an applicant's claim to act for its subject: "
                                                             "pending, confirmed, rejected; none for staff"})
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class MyAccountOut(AccountOut):
    claim_rejection_reason = ma.fields.String(allow_none=True, metadata={"description": "why the credit office "
                                                                                        "rejected the claim"})


def account_json(user) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email,
            "phone": user.phone, "roles": sorted(r.value for r in user.roles),
            "department": user.department.code if user.department else None,
            "subject_code": user.subject.code if user.subject else None,
            "subject_name": user.subject.name if user.subject else None,
            "claim_status": user.claim_status, "active": user.active, "created_at": user.created_at}


class SignUpIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(max=40),
                            metadata={"description": "Unified Social Credit Code or resident ID number"})
    name = text(200, required=True, metadata={"description": "of the enterprise or person"})
    username = username_field()
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=8, max=200))
    email = email_field()
    phone = text(40)


@accounts_bp.route("", methods=["POST"])
@accounts_bp.arguments(SignUpIn)
@accounts_bp.response(201, AccountOut)
@accounts_bp.alt_response(409, schema=ERROR_SCHEMA, description="Another sign-up took the user name at the same moment")
@accounts_bp.alt_response(422, schema=ERROR_SCHEMA, description="A malformed code, a user name already taken, "
                          "a short password; `details.field` names it")
def sign_up(body):
    """Sign up as an applicant for a subject (no token needed)."""
    user = accounts.sign_up_applicant(db.session, code=body["code"], name=body["name"], username=body["username"],
                                      password=body["password"], email=body["email"], phone=body["phone"])
    db.session.commit()
    return account_json(user)


@accounts_bp.route("/me", methods=["GET"])
@accounts_bp.response(200, MyAccountOut)
@accounts_bp.alt_response(401, schema=ERROR_SCHEMA, description="No token, or a bad or expired one")
@accounts_bp.doc(**SECURED)
@token_required
def me():
    """The caller's own account: roles, department, subject and the state of its claim."""
    user = g.api_user
    reason = administration.claim_rejection_reason(db.session, user.id) if user.claim_status == "rejected" else None
    return {**account_json(user), "claim_rejection_reason": reason}


# --- users ----------------------------------------------------------------------------------------

class UserFilter(ma.Schema):
    q = text(80, metadata={"description": "part of the user name or display name"})
    role = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *ROLE_NAMES]))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


class UserPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AccountOut))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class UserIn(ma.Schema):
    username = username_field()
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=8, max=200),
                                metadata={"description": "the initial password"})
    roles = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ROLE_NAMES)), required=True,
                           validate=ma.validate.Length(min=1, max=len(ROLE_NAMES)))
    department = text(32, metadata={"description": "a department's code: required for information providers, "
                                                   "listing and implementing departments"})
    subject = text(18, metadata={"description": "the subject's code: required for applicants; the subject must "
                                                "already be registered"})
    display_name = text(120)
    email = email_field()


class ActiveIn(ma.Schema):
    active = ma.fields.Boolean(required=True, truthy={True}, falsy={False},
                               metadata={"description": "false: the user can no longer log in or use a token"})


@bp.route("/users", methods=["GET"])
@admin_only
@bp.arguments(UserFilter, location="query")
@bp.response(200, UserPageOut)
@refusals(bp)
@bp.doc(**SECURED)
def list_users(filters):
    """Users by user name, 50 a page; `q` searches user and display names, `role` keeps one role."""
    page = administration.users(db.session, search=filters["q"], role=filters["role"], page=filters["page"],
                                per_page=filters["per_page"])
    return {"items": [account_json(u) for u in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page}


@bp.route("/users", methods=["POST"])
@admin_only
@bp.arguments(UserIn)
@bp.response(201, AccountOut)
@refusals(bp, e404="No department or subject with that code", e409="The user name is taken",
          e422="A missing or invalid field, a department role without a department, an applicant without a subject")
@bp.doc(**SECURED, description="A staff account (or an applicant bound to a registered subject, its claim "
        "confirmed). Department roles need `department`; applicants need `subject`.")
def create_user(body):
    """Create a user."""
    user = accounts.create_user(
        db.session, username=body["username"], password=body["password"], roles=body["roles"],
        actor=actor_for(g.api_user), department_code=body["department"] or None,
        subject_code=body["subject"] or None, display_name=body["display_name"], email=body["email"])
    db.session.commit()
    return account_json(user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_only
@bp.arguments(ActiveIn)
@bp.response(200, AccountOut)
@refusals(bp, e404="No such user", e409="The caller's own account, or the last active administrator",
          e422="`active` is missing or not a boolean")
@bp.doc(**SECURED, description="A disabled user can no longer log in, and its tokens stop working.")
def set_user_active(body, user_id: int):
    """Enable or disable a user."""
    user = administration.set_user_active(db.session, user_id, body["active"], actor_for(g.api_user))
    db.session.commit()
    return account_json(user)


# --- applicants' claims ---------------------------------------------------------------------------

class RejectIn(ma.Schema):
    reason = text(1000, required=True, metadata={"description": "told to the applicant"})


@bp.route("/claims", methods=["GET"])
@office_or_admin
@bp.response(200, AccountOut(many=True))
@refusals(bp)
@bp.doc(**SECURED)
def claims():
    """Applicants waiting for the credit office to confirm they act for their subject, oldest first."""
    return [account_json(u) for u in administration.pending_claims(db.session)]


@bp.route("/claims/<int:user_id>/confirm", methods=["POST"])
@office_or_admin
@bp.response(200, AccountOut)
@refusals(bp, e404="No such applicant", e409="The claim is not pending (already confirmed or rejected)")
@bp.doc(**SECURED, description="The applicant may then file for its subject.")
def confirm_claim(user_id: int):
    """Confirm an applicant's claim."""
    user = accounts.decide_claim(db.session, user_id, confirm=True, actor=actor_for(g.api_user))
    db.session.commit()
    return account_json(user)


@bp.route("/claims/<int:user_id>/reject", methods=["POST"])
@office_or_admin
@bp.arguments(RejectIn)
@bp.response(200, AccountOut)
@refusals(bp, e404="No such applicant", e409="The claim is not pending (already confirmed or rejected)",
          e422="No reason")
@bp.doc(**SECURED, description="The applicant sees the reason (`GET /api/v1/accounts/me`).")
def reject_claim(body, user_id: int):
    """Reject an applicant's claim, with a reason."""
    user = accounts.decide_claim(db.session, user_id, confirm=False, actor=actor_for(g.api_user),
                                 reason=body["reason"])
    db.session.commit()
    return account_json(user)


# --- departments ----------------------------------------------------------------------------------

class DepartmentIn(ma.Schema):
    name = text(200, required=True, metadata={"description": "in Chinese"})
    name_en = text(200)
    email = text(200, metadata={"description": "where its notifications are sent"})


class NewDepartmentIn(DepartmentIn):
    code = text(32, required=True, metadata={"description": "capital letters, digits, '-' and '_', starting with a "
                                                           "letter; it cannot be changed later"})


def _department_input(body) -> catalogue.DepartmentInput:
    return catalogue.DepartmentInput(name=body["name"], name_en=body["name_en"], email=body["email"])


@bp.route("/departments", methods=["POST"])
@admin_only
@bp.arguments(NewDepartmentIn)
@bp.response(201, DepartmentOut)
@refusals(bp, e409="The code is already in use", e422="A missing or invalid field")
@bp.doc(**SECURED)
def create_department(body):
    """Create a department (the list of departments: `GET /api/v1/departments`)."""
    department = catalogue.create_department(db.session, body["code"], _department_input(body),
                                             actor_for(g.api_user))
    db.session.commit()
    return department


@bp.route("/departments/<int:department_id>", methods=["GET"])
@admin_only
@bp.response(200, DepartmentOut)
@refusals(bp, e404="No such department")
@bp.doc(**SECURED)
def show_department(department_id: int):
    """A department."""
    return catalogue.get_department(db.session, department_id)


@bp.route("/departments/<int:department_id>", methods=["PUT"])
@admin_only
@bp.arguments(DepartmentIn)
@bp.response(200, DepartmentOut)
@refusals(bp, e404="No such department", e422="A missing or invalid field")
@bp.doc(**SECURED, description="The code stays: list entries, users and other systems refer to a department by it.")
def update_department(body, department_id: int):
    """Change a department's names and e-mail address."""
    department = catalogue.update_department(db.session, department_id, _department_input(body),
                                             actor_for(g.api_user))
    db.session.commit()
    return department


# --- measure catalogue ----------------------------------------------------------------------------

class MeasureIn(ma.Schema):
    name = text(300, required=True, metadata={"description": "in Chinese"})
    name_en = text(300)
    effect = ma.fields.String(required=True, validate=ma.validate.OneOf([e.value for e in MeasureEffect]))
    obligation = ma.fields.String(required=True, validate=ma.validate.OneOf([o.value for o in MeasureObligation]))
    department = text(32, required=True, metadata={"description": "the implementing department's code"})
    legal_basis = text(4000)
    active = ma.fields.Boolean(load_default=True, metadata={"description": "may be attached to new listings"})


class NewMeasureIn(MeasureIn):
    code = text(32, required=True, metadata={"description": "capital letters, digits, '-' and '_', starting with a "
                                                           "letter; listings name the measure by it"})


def _measure_input(body) -> catalogue.MeasureInput:
    return catalogue.MeasureInput(name=body["name"], name_en=body["name_en"], effect=body["effect"],
                                  obligation=body["obligation"], department_code=body["department"],
                                  legal_basis=body["legal_basis"], active=body["active"])


def _measure(item):
    db.session.refresh(item)  # its department as now assigned
    return item


@bp.route("/measures", methods=["POST"])
@admin_only
@bp.arguments(NewMeasureIn)
@bp.response(201, CatalogueOut)
@refusals(bp, e404="No department with that code", e409="The code is already in use",
          e422="A missing or invalid field")
@bp.doc(**SECURED)
def create_measure(body):
    """Add a measure to the catalogue (the catalogue: `GET /api/v1/measures`)."""
    item = catalogue.create_measure(db.session, body["code"], _measure_input(body), actor_for(g.api_user))
    db.session.commit()
    return _measure(item)


@bp.route("/measures/<int:measure_id>", methods=["GET"])
@admin_only
@bp.response(200, CatalogueOut)
@refusals(bp, e404="No such measure")
@bp.doc(**SECURED)
def show_measure(measure_id: int):
    """A measure of the catalogue."""
    return catalogue.get_measure(db.session, measure_id)


@bp.route("/measures/<int:measure_id>", methods=["PUT"])
@admin_only
@bp.arguments(MeasureIn)
@bp.response(200, CatalogueOut)
@refusals(bp, e404="No such measure, or no department with that code",
          e409="The effect cannot change while the measure is applied to list entries",
          e422="A missing or invalid field")
@bp.doc(**SECURED, description="The code stays: listings name measures by it.")
def update_measure(body, measure_id: int):
    """Change a measure of the catalogue."""
    item = catalogue.update_measure(db.session, measure_id, _measure_input(body), actor_for(g.api_user))
    db.session.commit()
    return _measure(item)


# --- settings -------------------------------------------------------------------------------------

class SettingIn(ma.Schema):
    value = ma.fields.Raw(required=True, metadata={"description": "a whole number within the setting's range, or "
                                                                  "true/false for a switch"})


@bp.route("/settings/<key>", methods=["PUT"])
@admin_only
@bp.arguments(SettingIn)
@bp.response(200, SettingOut)
@refusals(bp, e404="No such setting", e422="Not a whole number in the setting's range, or not true/false")
@bp.doc(**SECURED, description="The settings, their values and ranges: `GET /api/v1/settings`. Each change is "
        "recorded with who made it and when; it applies to deadlines started afterwards.")
def change_setting(body, key: str):
    """Change a time limit or switch."""
    if key not in SETTINGS:
        raise NotFound("no such setting", field="key", details={"key": key[:64]})
    value = settings_service.change(db.session, key, body["value"], actor_for(g.api_user))
    db.session.commit()
    return {"key": key, "value": value}


# --- holiday calendar -----------------------------------------------------------------------------

class ArrangementIn(ma.Schema):
    year = ma.fields.Integer(required=True, metadata={"description": "the year in the address"})
    days_off = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=20)), required=True,
                              validate=ma.validate.Length(max=366),
                              metadata={"description": "statutory days off on weekdays, YYYY-MM-DD"})
    working_days = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=20)), required=True,
                                  validate=ma.validate.Length(max=366),
                                  metadata={"description": "make-up working days (调休) on weekends, YYYY-MM-DD"})


def arrangement_json(arrangement) -> dict:
    return {"year": arrangement.year, "days_off": sorted(arrangement.days_off),
            "working_days": sorted(arrangement.working_days)}


@bp.route("/calendar/<int:year>", methods=["GET"])
@admin_only
@bp.response(200, ArrangementOut)
@refusals(bp, e404="No arrangement for this year (neither imported nor packaged)")
@bp.doc(**SECURED, description="The arrangement deadlines use for the year (the imported one, else the packaged "
        "data), in the format `PUT` takes: the export can be edited and sent back.")
def export_calendar(year: int):
    """Export a year's holiday arrangement."""
    return arrangement_json(calendar_service.effective_arrangement(db.session, year))


ICALENDAR = "text/calendar"
ICALENDAR_MAX_BYTES = 256 * 1024  # as the calendar page takes a file


def or_icalendar(view):
    """The body may also be an iCalendar file (`Content-Type: text/calendar`) as holiday calendars circulate:
    its text goes to the view in place of the JSON, which is then neither parsed nor validated by the schema."""

    @wraps(view)
    def taking(*args, **kwargs):
        if request.mimetype != ICALENDAR:
            return view(*args, **kwargs)
        if (request.content_length or 0) > ICALENDAR_MAX_BYTES:
            raise InvalidInput("the file is too large for a holiday arrangement", field="file")
        raw = request.get_data(cache=False)
        if len(raw) > ICALENDAR_MAX_BYTES:
            raise InvalidInput("the file is too large for a holiday arrangement", field="file")
        for encoding in ("utf-8-sig", "gb18030"):  # as the calendar page reads a file
            try:
                text_ = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput("the file is not UTF-8 or GB18030 text", field="file")
        if text_.lstrip()[:15].upper() != "BEGIN:VCALENDAR":
            raise InvalidInput("not an iCalendar file: it must begin with BEGIN:VCALENDAR", field="file")
        return view.__wrapped__(text_, *args, **kwargs)  # past the schema's parsing, to the view and its response

    return taking


@bp.route("/calendar/<int:year>", methods=["PUT"])
@admin_only
@or_icalendar
@bp.arguments(ArrangementIn)
@bp.response(200, ArrangementOut)
@refusals(bp, e422="A date that is not valid or not in the year, a day listed twice or both off and working, "
          "no days at all, an iCalendar event whose summary says neither 休 nor 班, or a year other than the "
          "address's; `details.field` says where (`days_off[2]`, or `line 14` of an iCalendar file)")
@bp.doc(**SECURED, description="Replaces the year's arrangement, which then takes precedence over the packaged "
        "data: deadlines are counted with it from now on, and deadlines that were waiting for this year are "
        "computed at once. The body is the JSON the export gives, or an iCalendar file as holiday calendars "
        "publish the arrangement (`Content-Type: text/calendar`, UTF-8): all-day events (`DTSTART`/`DTEND` as "
        "dates, `DTEND` exclusive), each a day off if its `SUMMARY` (or else its `CATEGORIES`) says 休, 放假 or "
        "假期, a make-up working day if it says 班 (上班, 补班); every day in the year of the first event.",
        requestBody={"content": {ICALENDAR: {"schema": {"type": "string"}, "example": (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//holidays//ZH\r\n"
            "BEGIN:VEVENT\r\nUID:2027-0206\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270214\r\n"
            "SUMMARY:春节 休\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:2027-0214\r\nDTSTART;VALUE=DATE:20270214\r\nSUMMARY:春节调休 班\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n")}}})
def import_calendar(body, year: int):
    """Import a year's holiday arrangement."""
    text_ = body if isinstance(body, str) else json.dumps(body)  # an iCalendar file's text, or the JSON
    calendar_service.import_arrangement(db.session, text_, f"PUT /api/v1/admin/calendar/{year}",
                                        actor_for(g.api_user), year=year)
    db.session.commit()
    return arrangement_json(calendar_service.effective_arrangement(db.session, year))


# --- licence matters ------------------------------------------------------------------------------

class MatterIn(ma.Schema):
    name = text(200, required=True, metadata={"description": "in Chinese"})
    name_en = text(200)
    department = text(32, required=True, metadata={"description": "the owning department's code"})
    processing_days = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=365),
                                        metadata={"description": "promised processing time, in working days"})
    materials_days = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=365),
                                       metadata={"description": "deadline for missing materials, in working days; "
                                                                "null: the setting for all matters"})
    legal_basis = text(4000)
    active = ma.fields.Boolean(load_default=True, metadata={"description": "open to new applications"})


class NewMatterIn(MatterIn):
    code = text(32, required=True, metadata={"description": "capital letters, digits, '-' and '_', starting with a "
                                                           "letter; applications name the matter by it"})


class MaterialIn(ma.Schema):
    name = text(200, required=True, metadata={"description": "in Chinese"})
    name_en = text(200)
    core = ma.fields.Boolean(required=True, metadata={"description": "true: statutory core, supplied when filing; "
                                                                     "false: deferrable against a commitment"})
    position = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=999),
                                 metadata={"description": "order in the list; 0 on adding: last"})
    active = ma.fields.Boolean(load_default=True, metadata={"description": "required of new applications"})


class MaterialOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    name_en = ma.fields.String()
    core = ma.fields.Boolean()
    position = ma.fields.Integer()
    active = ma.fields.Boolean()


class MatterOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    department = ma.fields.String(attribute="department.code")
    processing_days = ma.fields.Integer()
    materials_days = ma.fields.Integer(allow_none=True)
    legal_basis = ma.fields.String()
    active = ma.fields.Boolean()
    materials = ma.fields.List(ma.fields.Nested(MaterialOut))


def _matter_input(body) -> licence_matters.MatterInput:
    return licence_matters.MatterInput(
        name=body["name"], name_en=body["name_en"], department_code=body["department"],
        processing_days=body["processing_days"], materials_days=body["materials_days"],
        legal_basis=body["legal_basis"], active=body["active"])


def _material_input(body) -> licence_matters.MaterialInput:
    return licence_matters.MaterialInput(name=body["name"], name_en=body["name_en"], core=body["core"],
                                         position=body["position"], active=body["active"])


def _matter(matter):
    db.session.refresh(matter)  # its department and materials as now stored
    return matter


@bp.route("/licence-matters", methods=["GET"])
@admin_only
@bp.response(200, MatterOut(many=True))
@refusals(bp)
@bp.doc(**SECURED)
def list_matters():
    """The licence matters catalogue (行政许可事项), inactive matters and materials included."""
    return licence_matters.matters(db.session)


@bp.route("/licence-matters", methods=["POST"])
@admin_only
@bp.arguments(NewMatterIn)
@bp.response(201, MatterOut)
@refusals(bp, e404="No department with that code", e409="The code is already in use",
          e422="A missing or invalid field; a materials deadline longer than the processing time")
@bp.doc(**SECURED, description="Then add its materials (`POST /api/v1/admin/licence-matters/{id}/materials`).")
def create_matter(body):
    """Add a licence matter."""
    matter = licence_matters.create_matter(db.session, body["code"], _matter_input(body), actor_for(g.api_user))
    db.session.commit()
    return _matter(matter)


@bp.route("/licence-matters/<int:matter_id>", methods=["GET"])
@admin_only
@bp.response(200, MatterOut)
@refusals(bp, e404="No such licence matter")
@bp.doc(**SECURED)
def show_matter(matter_id: int):
    """A licence matter with its materials."""
    return licence_matters.get_matter(db.session, matter_id)


@bp.route("/licence-matters/<int:matter_id>", methods=["PUT"])
@admin_only
@bp.arguments(MatterIn)
@bp.response(200, MatterOut)
@refusals(bp, e404="No such licence matter, or no department with that code",
          e422="A missing or invalid field; a materials deadline longer than the processing time")
@bp.doc(**SECURED, description="The code stays: applications and other systems refer to a matter by it. Open "
        "applications keep the matter as it was filed.")
def update_matter(body, matter_id: int):
    """Change a licence matter."""
    matter = licence_matters.update_matter(db.session, matter_id, _matter_input(body), actor_for(g.api_user))
    db.session.commit()
    return _matter(matter)


@bp.route("/licence-matters/<int:matter_id>/materials", methods=["POST"])
@admin_only
@bp.arguments(MaterialIn)
@bp.response(201, MaterialOut)
@refusals(bp, e404="No such licence matter", e422="A missing or invalid field")
@bp.doc(**SECURED)
def add_material(body, matter_id: int):
    """Add a required material to a licence matter."""
    material = licence_matters.add_material(db.session, matter_id, _material_input(body), actor_for(g.api_user))
    db.session.commit()
    return material


@bp.route("/licence-matters/<int:matter_id>/materials/<int:material_id>", methods=["PUT"])
@admin_only
@bp.arguments(MaterialIn)
@bp.response(200, MaterialOut)
@refusals(bp, e404="No such licence matter, or no such material of it", e422="A missing or invalid field")
@bp.doc(**SECURED, description="Open applications keep the materials as they were filed; a change applies to new "
        "ones.")
def update_material(body, matter_id: int, material_id: int):
    """Change a required material of a licence matter."""
    material = licence_matters.update_material(db.session, matter_id, material_id, _material_input(body),
                                               actor_for(g.api_user))
    db.session.commit()
    return material


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


def register(api) -> None:
    from ..extensions import csrf

    for blueprint in (bp, accounts_bp):
        csrf.exempt(blueprint)  # bearer tokens, not cookies: no CSRF exposure
        api.register_blueprint(blueprint)
