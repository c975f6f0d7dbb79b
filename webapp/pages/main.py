"""Home pages per role, the language switch."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from workflows.domain.roles import DEPARTMENT_ROLES, Role
from workflows.services.admin import administration
from workflows.services.casework import queries

from ..access import current_actor
from ..extensions import db
from ..i18n import LANGUAGES
from ..security import same_site_path

bp = Blueprint("main", __name__)

# which home each role lands on, first match wins
HOMES = [
    (Role.ADMINISTRATOR, "home/administrator.html"),
    (Role.SUPERVISOR, "home/supervisor.html"),
    (Role.ACCEPTING_OFFICE, "home/accepting_office.html"),
    (Role.LISTING_DEPARTMENT, "home/department.html"),
    (Role.INFORMATION_PROVIDER, "home/department.html"),
    (Role.IMPLEMENTING_DEPARTMENT, "home/department.html"),
    (Role.APPLICANT, "home/applicant.html"),
]


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    context = {}
    if current_user.has_role(Role.APPLICANT):
        context["claim_reason"] = administration.claim_rejection_reason(db.session, current_user.id)
    if current_user.has_role(Role.ACCEPTING_OFFICE, Role.ADMINISTRATOR):
        context["pending_claims"] = len(administration.pending_claims(db.session))
    # the work waiting: the cases on the caller's desk, the overdue ones for supervision, an applicant's open ones
    actor = current_actor()
    if current_user.has_role(Role.ACCEPTING_OFFICE, *DEPARTMENT_ROLES):
        context["inbox_count"] = queries.list_cases(db.session, actor, inbox=True, per_page=1).total
    if current_user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        context["overdue_count"] = queries.list_cases(db.session, actor, overdue=True, per_page=1).total
    if current_user.has_role(Role.APPLICANT) and current_user.subject_id is not None:
        context["case_count"] = queries.list_cases(db.session, actor, per_page=1).total
    for role, template in HOMES:
        if current_user.has_role(role):
            return render_template(template, role=role, **context)
    return render_template("home/applicant.html", role=None)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(same_site_path(request.form.get("next")) or "/")
