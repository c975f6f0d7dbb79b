"""Errors: JSON `{"error": {code, message, details}}` under /api, a page elsewhere; never a 500 for bad input."""
from __future__ import annotations

import math
import re

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
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


MAX_JSON_DEPTH = 32  # no request of the product nests deeper than a few levels
MAX_JSON_NUMBER = 2**53 - 1  # the integers a JSON number holds exactly; no id or count of the product is larger
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def json_depth(raw: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, measured before it is parsed (a parser recurses)."""
    depth = deepest = 0
    for byte in _JSON_STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "nul"
    if _SURROGATE.search(text):
        return "surrogate"
    return None


def _json_problem(value, path: str = "") -> tuple[str, str] | None:
    """Where a JSON value holds what no database keeps (its path) and what it is, or None: a NUL character, a
    lone surrogate (half a character), a number that is infinite or too large for any id or count."""
    if isinstance(value, str):
        problem = _text_problem(value)
        return (path or "body", problem) if problem else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value) or abs(value) > MAX_JSON_NUMBER:
            return path or "body", "number"
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        problem = _text_problem(str(key))
        if problem:
            return where.replace("\x00", ""), problem
        found = _json_problem(item, where)
        if found:
            return found
    return None


def request_problem() -> tuple[str, str] | None:
    """The field of this request that carries what no database keeps and no person types, and what it is."""
    # a body of another type has no form: not parsed for nothing (a JSON request's form is empty)
    for values in (request.args if request.query_string else None,
                   request.form if request.mimetype in _FORM_TYPES else None):
        for key, value in values.items(multi=True) if values else ():
            problem = _text_problem(key) or _text_problem(value)
            if problem:
                return key.replace("\x00", ""), problem
    if request.is_json:
        raw = request.get_data(cache=True)
        # no deeper than its brackets, counted at C speed, are many: measured only where they might be too many
        if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_depth(raw) > MAX_JSON_DEPTH:
            return "body", "depth"
        return _json_problem(request.get_json(silent=True))
    return None


def _problem_message(problem: str) -> str:
    if problem == "nul":
        return _("the text contains a NUL character")
    if problem == "surrogate":
        return _("the text contains half of a character (a lone surrogate)")
    if problem == "number":
        return _("the number is infinite or too large")
    return _("the JSON nests more than %(depth)s levels deep", depth=MAX_JSON_DEPTH)


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_what_no_database_keeps():
        found = request_problem()
        if found is not None:
            field, problem = found
            return error_response(422, "invalid_input", f"{field}: " + _problem_message(problem), {"field": field})
        return None

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        details = dict(error.details)
        if error.field:
            details.setdefault("field", error.field)
        # the API speaks English to integrators; the pages speak the reader's language
        message = error.message if wants_json() else translate(error)
        response = error_response(error.http_status, error.code,
                                  f"{error.field}: {message}" if error.field else message, details)
        if isinstance(details.get("retry_after"), int) and not isinstance(response, tuple):
            response.headers["Retry-After"] = str(details["retry_after"])
        return response

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

    @app.errorhandler(DataError)
    def out_of_range(error):
        # a value the database's column cannot hold (an integer beyond its range): refused, nothing written
        db.session.rollback()
        return error_response(422, "invalid_input", _("A value is out of the range the database can keep: nothing "
                                                      "was saved."))

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
        description = error.description or ""
        # werkzeug's descriptions are in the catalogue (webapp.messages.HTTP_DESCRIPTIONS); the API speaks English
        return error_response(error.code or 500, (error.name or "error").lower().replace(" ", "_"),
                              description if wants_json() or not description else _(description))
