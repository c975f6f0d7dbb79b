"""Errors: JSON `{"error": {code, message, details}}` under /api, a page elsewhere; never a 500 for bad input."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workflows.domain.errors import DomainError

from .extensions import db
from .messages import translate


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, details: dict | None = None):
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
        response.status_code = status
        return response
    return render_template("error.html", status=status, code=code, message=message), status


def _nul_in(value, path: str = "") -> str | None:
    """Where a NUL character hides in a JSON value (its path), or None."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if "\x00" in str(key):
            return where
        found = _nul_in(item, where)
        if found:
            return found
    return None


def nul_field() -> str | None:
    """The field of this request that carries a NUL character: no database keeps one, no person types one."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", "")
    if request.is_json:
        return _nul_in(request.get_json(silent=True))
    return None


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        field = nul_field()
        if field is not None:
            return error_response(422, "invalid_input", f"{field}: " + _("the text contains a NUL character"),
                                  {"field": field})
        return None

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        details = dict(error.details)
        if error.field:
            details.setdefault("field", error.field)
        # the API speaks English to integrators; the pages speak the reader's language
        message = error.message if wants_json() else translate(error)
        return error_response(error.http_status, error.code, f"{error.field}: {message}" if error.field else message,
                              details)

    @app.errorhandler(StaleDataError)
    def stale(error):
        db.session.rollback()
        return error_response(409, "conflict", _("The record was changed by someone else meanwhile: reload and try again."))

    @app.errorhandler(IntegrityError)
    def duplicate(error):
        # two requests racing for the same unique value (a user name, a form sent twice): the other one won
        db.session.rollback()
        return error_response(409, "conflict", _("The same record was saved by another request at the same moment: "
                                                 "nothing was saved by this one. Reload to see it."))

    @app.errorhandler(OperationalError)
    def database_busy(error):
        # a lock held by another writer (SQLite) or a database restarting: nothing was written
        db.session.rollback()
        return error_response(503, "busy", _("The system is busy: nothing was saved. Please try again."))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if wants_json():
            return error_response(400, "csrf", error.description)
        # a refusal, not a redirect: a forged cross-site post must not look like it went through
        return error_response(400, "csrf", _("The form had expired or did not come from this site: nothing was "
                                             "saved. Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 422 and wants_json():  # webargs/flask-smorest validation failure
            messages = getattr(error, "data", {}).get("messages", {})
            return error_response(422, "invalid_input", _("The request has invalid fields."), {"fields": messages})
        return error_response(error.code or 500, (error.name or "error").lower().replace(" ", "_"), error.description or "")
