"""The administrator pages' blueprint, who may use them, and how their forms show a refusal."""
from __future__ import annotations

from flask import Blueprint, render_template
from wtforms import SelectChoice

from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services.lists import catalogue

from ... import messages, ui
from ...access import roles_required
from ...extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = roles_required(Role.ADMINISTRATOR)
office_or_admin = roles_required(Role.ACCEPTING_OFFICE, Role.ADMINISTRATOR)


def show_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a domain error next to its field (or above the form when no field matches)."""
    name = (aliases or {}).get(error.field, error.field)
    field = form._fields.get(name) if name else None
    message = messages.translate(error)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def invalid(form, error: DomainError, template: str, aliases: dict[str, str] | None = None, **context):
    db.session.rollback()
    show_error(form, error, aliases)
    return render_template(template, form=form, **context), 422


def form_status(form) -> int:
    return 422 if form.is_submitted() else 200


def department_choices(blank: bool) -> list[SelectChoice]:
    choices = [SelectChoice(d.code, ui.localized(d)) for d in catalogue.departments(db.session)]
    return ([SelectChoice("", "—")] if blank else []) + choices
