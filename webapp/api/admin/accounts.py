"""The accounts' own endpoints: signing up as an applicant, the caller's account."""
from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from workflows.services.admin import accounts, administration

from ...extensions import db
from ..v1 import ERROR_SCHEMA, TOKEN_MAX_AGE, issue_token, token_required
from .blueprint import SECURED, email_field, text, username_field

accounts_bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1/accounts",
                        description="Signing up as an applicant, and the caller's own account")


class AccountOut(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    email = ma.fields.String()
    phone = ma.fields.String(metadata={"description": "a Chinese mobile number, or empty"})
    sms = ma.fields.Boolean(metadata={"description": "notices also come by SMS to the mobile number"})
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
            "phone": user.phone, "sms": user.sms_opt_in, "roles": sorted(r.value for r in user.roles),
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
    phone = text(40, metadata={"description": "a Chinese mobile number (13800138000): notices also come by SMS"})


@accounts_bp.route("", methods=["POST"])
@accounts_bp.arguments(SignUpIn)
@accounts_bp.response(201, AccountOut)
@accounts_bp.alt_response(409, schema=ERROR_SCHEMA, description="Another sign-up took the user name at the same moment")
@accounts_bp.alt_response(422, schema=ERROR_SCHEMA, description="A malformed code, a user name already taken, "
                          "a short password, a malformed mobile number; `details.field` names it")
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
    user = accounts.account_of(db.session, g.api_user)
    reason = administration.claim_rejection_reason(db.session, user.id) if user.claim_status == "rejected" else None
    return {**account_json(user), "claim_rejection_reason": reason}


class PasswordChangeIn(ma.Schema):
    current_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=200))
    new_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=8, max=200))


class NewTokenOut(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "the caller's new token: every other one ended"})
    expires_in = ma.fields.Integer(required=True)


@accounts_bp.route("/me/password", methods=["POST"])
@token_required  # before the body is read: no token, 401 whatever it holds
@accounts_bp.arguments(PasswordChangeIn)
@accounts_bp.response(200, NewTokenOut)
@accounts_bp.alt_response(401, schema=ERROR_SCHEMA, description="No token, or a bad or expired one")
@accounts_bp.alt_response(422, schema=ERROR_SCHEMA, description="The current password is not right, or the new one "
                          "is too short or the same; `details.field` names it")
@accounts_bp.doc(**SECURED, description="Every session and token of the account ends, this token too: the answer "
                 "carries a new one.")
def change_password(body):
    """Change the caller's own password."""
    user = accounts.change_password(db.session, accounts.account_of(db.session, g.api_user),
                                    body["current_password"], body["new_password"])
    db.session.commit()
    return {"token": issue_token(user), "expires_in": TOKEN_MAX_AGE}


class ContactIn(ma.Schema):
    phone = text(40, metadata={"description": "a Chinese mobile number (13800138000); empty: none"})
    sms = ma.fields.Boolean(required=True, metadata={"description": "notices also come by SMS to the number"})


@accounts_bp.route("/me/contact", methods=["PUT"])
@token_required
@accounts_bp.arguments(ContactIn)
@accounts_bp.response(200, MyAccountOut)
@accounts_bp.alt_response(401, schema=ERROR_SCHEMA, description="No token, or a bad or expired one")
@accounts_bp.alt_response(422, schema=ERROR_SCHEMA, description="Not a Chinese mobile number; `details.field` is phone")
@accounts_bp.doc(**SECURED)
def contact(body):
    """The caller's own mobile number and whether notices also come to it by SMS."""
    user = accounts.set_contact(db.session, accounts.account_of(db.session, g.api_user), phone=body["phone"],
                                sms_opt_in=body["sms"])
    db.session.commit()
    return {**account_json(user), "claim_rejection_reason": None}
