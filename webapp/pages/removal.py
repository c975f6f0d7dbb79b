"""Red-list removal pages: a department reports abuse with evidence; a listing department re-evaluates its
red-list entries against a stated rule, sees those that would go, and confirms them in bulk. The listing
department decides an abuse report on the case page (confirm_abuse / dismiss)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.removal import AbuseReportForm, ReevaluationForm
from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services.processes import redlist_removal as removal

from .. import messages
from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("removal", __name__, url_prefix="/red-list")

departments_only = roles_required(Role.IMPLEMENTING_DEPARTMENT, Role.LISTING_DEPARTMENT, Role.INFORMATION_PROVIDER)
listers_only = roles_required(Role.LISTING_DEPARTMENT)


def _show_error(form, error: DomainError) -> None:
    name = {"code": "subject_code", "list_entry_id": "subject_code"}.get(error.field, error.field)
    field = form._fields.get(name) if name else None
    (field.errors if field is not None else form.form_errors).append(messages.error_message(error))


@bp.route("/abuse-report", methods=["GET", "POST"])
@departments_only
def report_abuse():
    form = AbuseReportForm()
    if request.method == "GET" and request.args.get("subject_code"):
        form.subject_code.data = request.args["subject_code"][:18]  # from the subject page's link
    if form.validate_on_submit():
        config = current_app.config["CREDIT_CASES"]
        try:
            case = removal.report_abuse(db.session, current_actor(), {"subject_code": form.subject_code.data,
                                                                      "reason": form.reason.data},
                                        form.uploads(), upload_dir=config.upload_dir,
                                        max_bytes=config.max_upload_bytes)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
            return render_template("removal/report.html", form=form), 422
        flash(_("Your report was filed as case #%(id)s; the listing department decides on it.", id=case.id), "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("removal/report.html", form=form), 422 if form.is_submitted() else 200


def _rule(form: ReevaluationForm) -> removal.Reevaluation:
    return removal.Reevaluation(statement=form.statement.data or "", category=form.category.data or "",
                                listed_before=form.listed_before.data, basis_contains=form.basis_contains.data or "")


@bp.route("/re-evaluation", methods=["GET", "POST"])
@listers_only
def reevaluate():
    form = ReevaluationForm()
    entries = None
    if form.validate_on_submit():
        try:
            if form.confirm.data:
                ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
                cases = removal.confirm_reevaluation(db.session, current_actor(), _rule(form), ids)
                db.session.commit()
                flash(_("%(n)s red-list entries were removed (cases %(ids)s).", n=len(cases),
                        ids=", ".join(f"#{c.id}" for c in cases)), "success")
                return redirect(url_for("cases.inbox"))
            entries = removal.reevaluation_preview(db.session, current_actor(), _rule(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
            return _reevaluation_page(form, None, 422)
    return _reevaluation_page(form, entries, 422 if form.is_submitted() and form.errors else 200)


def _reevaluation_page(form, entries, status: int):
    """The re-evaluation page shared with the blacklist's, in the red list's words."""
    words = SimpleNamespace(
        title=_("Re-evaluate red-list entries"), back=_("Inbox"), back_url=url_for("cases.inbox"),
        lead=_("When the criteria change, state the new rule and the conditions that pick your department’s red-list "
               "entries that no longer qualify. You see them before anything changes, and remove those you tick, all at "
               "once."),
        column=_("Remove"), count=lambda n: _("%(n)s entries would be removed", n=n),
        tick=lambda entry_id: _("Remove entry #%(id)s", id=entry_id))
    return render_template("lists/reevaluate.html", form=form, entries=entries, words=words), status
