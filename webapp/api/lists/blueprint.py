"""The list-work API's blueprint, and the limits and input field its resources share."""
from __future__ import annotations

import re

import marshmallow as ma
from flask_smorest import Blueprint

bp = Blueprint("api_lists", __name__, url_prefix="/api/v1",
               description="Escalation, red-list and blacklist re-evaluation, green-channel catalogue")
SECURED = {"security": [{"bearerAuth": []}]}

MAX_ID = 2**31 - 1
MATTER_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")


def text(max_length: int, *, min_length: int | None = None, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=min_length, max=max_length), **kwargs)
