"""The green channel's pages (容缺受理): eligibility with its reasons, applying with the signed commitment and the
supplied materials, the materials of a case (submit, verify), the printable notice of conditional acceptance,
and the public list of granted licences."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.green import MissingForm, SubmitMaterialForm, VerifyMaterialForm, commitment_form
from workflows.domain.errors import DomainError, NotFound
from workflows.domain.roles import Role
from workflows.services.casework import cases as case_service
from workflows.services.casework import evidence as evidence_service
from workflows.services.processes import conditional_acceptance as green
from workflows.services.processes import green_materials, green_records, licence_matters
from workflows.services.processes.eligibility import eligibility_of
from workflows.store.base import utcnow

from .. import labels, messages
from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("green", __name__)

applicants_only = roles_required(Role.APPLICANT)
PROCESS = green.PROCESS


def _refusal() -> str | None:
    """Why this user cannot apply for a subject at all (before eligibility)."""
    if current_user.subject is None:
        return _("Your account is not linked to a credit subject, so you cannot apply.")
    if current_user.claim_status != "confirmed":
        return _("The credit office has not yet confirmed that you act for %(subject)s.",
                 subject=current_user.subject.name)
    return None


@bp.get("/green")
@applicants_only
def index():
    refusal = _refusal()
    verdict = None if refusal else eligibility_of(db.session, current_user.subject.id)
    matters = licence_matters.matters(db.session, active_only=True)
    return render_template("green/index.html", refusal=refusal, verdict=verdict, matters=matters)


def _draft(code: str, missing):
    try:
        return green.draft(db.session, current_user.subject, code, missing), None
    except NotFound:
        abort(404)
    except DomainError as error:
        return None, messages.translate(error)


@bp.route("/green/apply/<code>", methods=["GET", "POST"])
@applicants_only
def apply(code: str):
    refusal = _refusal()
    verdict = None if refusal else eligibility_of(db.session, current_user.subject.id)
    if refusal or not verdict.eligible:
        return render_template("green/ineligible.html", refusal=refusal, verdict=verdict), (
            403 if request.method == "POST" else 200)
    try:
        matter = licence_matters.matter_by_code(db.session, code)
    except NotFound:
        abort(404)
    chooser = MissingForm(formdata=request.args)
    chooser.missing.choices = [(m.id, m.name) for m in matter.materials if m.active and not m.core]
    missing = request.args.getlist("missing")
    if not missing:  # first step: which deferrable materials will follow
        return render_template("green/choose.html", matter=matter, chooser=chooser, error=None)
    drafted, error = _draft(code, missing)
    if drafted is None:
        return render_template("green/choose.html", matter=matter, chooser=chooser, error=error), 422
    form = commitment_form([(line.no, line.name) for line in drafted.lines if line.supplied])()
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    if form.validate_on_submit():
        try:
            case = _file(form, code, missing)
        except DomainError as failure:
            db.session.rollback()
            form.form_errors.append(messages.error_message(failure))
            return render_template("green/commit.html", matter=matter, draft=drafted, form=form, missing=missing), (
                failure.http_status)
        flash(_("Your green-channel application was filed as case #%(id)s.", id=case.id), "success")
        return redirect(url_for("cases.show", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template("green/commit.html", matter=matter, draft=drafted, form=form, missing=missing), status


def _file(form, code: str, missing: list[str]):
    """File the case and keep each supplied material's file under its line, in one transaction."""
    now = utcnow()
    actor = current_actor()
    params = {"matter": code, "missing": missing, "signed": bool(form.signed.data), "signatory": form.signatory.data}
    case = case_service.file_case(db.session, PROCESS, actor, params,
                                  submission_key=f"web:{form.submission_key.data}", now=now)
    if case.filed_at == now:
        config = current_app.config["CREDIT_CASES"]
        for no, upload in form.uploads_by_line().items():
            evidence_service.store(db.session, case, [upload], actor, config.upload_dir, config.max_upload_bytes,
                                   purpose=f"material:{no}")
    db.session.commit()
    return case


def _green_case(case_id: int):
    try:
        return green.green_case(db.session, case_id, current_actor())
    except NotFound:
        abort(404)


@bp.get("/green/cases/<int:case_id>/notice")
@login_required
def notice(case_id: int):
    """The notice of conditional acceptance (容缺受理通知书), to print."""
    try:
        issued = green.notice(db.session, case_id, current_actor())
    except NotFound:
        abort(404)
    return render_template("green/notice.html", case=issued.case, application=issued.application,
                           state=issued.state, items=issued.items)


@bp.post("/green/cases/<int:case_id>/materials/<int:no>/submit")
@login_required
def submit_material(case_id: int, no: int):
    case = _green_case(case_id)
    form = SubmitMaterialForm()
    if not form.validate_on_submit():
        flash(_("The form was incomplete: try again."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    uploads = form.uploads()
    if not uploads:
        flash(_("Choose the file of the material to submit."), "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="materials"))
    config = current_app.config["CREDIT_CASES"]
    return _act(case, "submit_materials", lambda actor: green_materials.submit_material(
        db.session, case.id, no, actor, uploads, upload_dir=config.upload_dir, max_bytes=config.max_upload_bytes,
        note=form.note.data or "", expected_version=form.version.data))


@bp.post("/green/cases/<int:case_id>/materials/<int:no>/verify")
@login_required
def verify_material(case_id: int, no: int):
    case = _green_case(case_id)
    form = VerifyMaterialForm()
    if not form.validate_on_submit():
        flash(_("Choose a verdict."), "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="materials"))
    params = {"item": no, "result": form.result.data, "reason": form.reason.data or ""}
    return _act(case, "verify_materials", lambda actor: case_service.take_action(
        db.session, case.id, "verify_materials", actor, params, expected_version=form.version.data))


def _act(case, action: str, run):
    try:
        case = run(current_actor())
    except DomainError as error:
        db.session.rollback()
        flash(messages.error_message(error, action), "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="materials")), 303
    db.session.commit()
    flash(_("Done: %(action)s. The case is now “%(state)s”.", action=labels.action_label(action),
            state=labels.state_label(case.state)), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="materials"))


@bp.get("/public/licences")
def public_licences():
    """Licences granted through the green channel (Zhuhai VI(3): published within 7 working days). No log-in."""
    return render_template("green/public_licences.html", publications=green_records.publications(db.session))


@bp.app_template_filter("material_status")
def material_status(status: str) -> str:
    return {"supplied": _("Supplied at filing"), "missing": _("Missing"), "submitted": _("Submitted, to be verified"),
            "verified": _("Verified"), "rejected": _("Rejected, to submit again")}.get(status, status)


@bp.app_context_processor
def green_panel():
    """What the case page and the subject page show of the green channel."""

    def materials_panel(case):
        if case.process != PROCESS:
            return None
        state = green.materials_state(db.session, case)
        actor = current_actor()
        available = case_service.available_actions(db.session, case, actor)
        return SimpleNamespace(application=green.application_of(db.session, case), state=state,
                               items=green.item_views(db.session, case, state),
                               may_submit="submit_materials" in available, may_verify="verify_materials" in available,
                               submit_form=SubmitMaterialForm(formdata=None), verify_form=VerifyMaterialForm(formdata=None))

    def broken_commitments(subject):
        actor = current_actor()
        own = actor.subject_id is not None and actor.subject_id == subject.id
        if not (own or actor.roles - {Role.APPLICANT}):
            return []  # in the credit file, not on a public list
        return green_records.broken_commitments_of(db.session, subject.id)

    return {"green_materials_panel": materials_panel, "green_broken_commitments": broken_commitments}
