"""Users and applicants' claims through the API (administrators; claims also the credit office)."""
from __future__ import annotations

import marshmallow as ma
from flask import g

from workflows.services.admin import accounts, administration
from workflows.services.casework.actors import actor_for

from ...extensions import db
from .accounts import AccountOut, account_json
from .blueprint import ROLE_NAMES, SECURED, admin_only, bp, email_field, office_or_admin, refusals, text, username_field

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
    phone = text(40, metadata={"description": "a Chinese mobile number (13800138000): notices also come by SMS"})


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
        subject_code=body["subject"] or None, display_name=body["display_name"], email=body["email"],
        phone=body["phone"])
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


class PasswordResetIn(ma.Schema):
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=8, max=200),
                                metadata={"description": "the new password, told to the user outside the system"})


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_only
@bp.arguments(PasswordResetIn)
@bp.response(200, AccountOut)
@refusals(bp, e404="No such user", e422="The password is missing or too short")
@bp.doc(**SECURED, description="Every session and token of the user ends.")
def reset_password(body, user_id: int):
    """Set a user's password (an administrator's reset)."""
    user = accounts.reset_password(db.session, user_id, body["password"], actor_for(g.api_user))
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
