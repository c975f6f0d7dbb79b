"""The administration API's blueprint, its access checks and its documented refusals, and the input fields its
resources share. The resources register their routes on `bp` (webapp/api/admin/*.py)."""
from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from workflows.domain.errors import RoleNotAllowed
from workflows.domain.roles import Role

from ..v1 import ERROR_SCHEMA, token_required

bp = Blueprint("api_admin", __name__, url_prefix="/api/v1/admin",
               description="Administration (administrators; claims also the credit office)")
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
