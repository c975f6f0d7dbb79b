"""The public red list and blacklist (no log-in): search by name or code. Cacheable; never the key-attention list."""
from __future__ import annotations

import hashlib

from flask import Blueprint, make_response, render_template, request
from flask_login import current_user

from sla.calendar import local_date
from workflows.domain.errors import DomainError
from workflows.services.lists import public_lists
from workflows.store.base import utcnow

from .. import messages
from ..extensions import db
from ..ui import current_locale

bp = Blueprint("public_lists", __name__)
MAX_AGE = 300  # seconds a browser may reuse a page; listings change by the day, not the second


@bp.get("/public/lists")
def search():
    q, kind = request.args.get("q", ""), request.args.get("list") or None
    page_no = min(max(1, request.args.get("page", 1, type=int)), 10_000)
    today = local_date(utcnow())
    try:
        page = public_lists.search(db.session, q, list_kind=kind, today=today, page=page_no)
    except DomainError as refused:
        return render_template("public/lists.html", page=None, q=q, kind=kind,
                               error=messages.translate(refused)), 422
    # the tag stands for the data shown, so an unchanged answer costs one indexed query and no rendering
    viewer = current_user.get_id() if getattr(current_user, "is_authenticated", False) else "-"
    etag = hashlib.sha256(f"{page.fingerprint()}|{q}|{kind}|{today}|{current_locale()}|{viewer}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(render_template("public/lists.html", page=page, q=q, kind=kind, error=None))
    response.set_etag(etag)
    # private: the page carries the visitor's form token (and, signed in, their name)
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    response.vary.update(("Accept-Language", "Cookie"))
    return response
