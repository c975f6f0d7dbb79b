"""Credit repair pages: the application (file, attach proof, sign and submit in one transaction) and a
listing department moving a key-attention subject to the blacklist. Decisions use the case page."""
from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms.repair import EscalationForm, RepairForm
from workflows.domain.errors import DomainError
from workflows.domain.lists import EntryStatus, ListKind
from workflows.domain.roles import Role
from workflows.services.casework import cases as case_service
from workflows.services.casework import evidence as evidence_service
from workflows.services.lists import list_lifecycle
from workflows.services.lists.catalogue import catalogue
from workflows.services.processes import repair_exit
from workflows.store.base import utcnow
from workflows.store.models import ListEntry

from .. import messages
from ..access import current_actor, roles_required
from ..extensions import db
from ..ui import localized
from .common import show_error

bp = Blueprint("repair", __name__)


def _not_allowed_yet() -> str | None:
    if current_user.subject is None:
        return _("Your account is not linked to a credit subject, so you cannot apply for credit repair.")
    if current_user.claim_status != "confirmed":
        return _("The credit office has not confirmed that you act for %(subject)s yet: you can apply once it has.",
                 subject=current_user.subject.name)
    return None


def _blacklist_entries() -> list[tuple[ListEntry, str | None]]:
    """The subject's open blacklist entries, each with the reason it cannot be repaired now (or None)."""
    entries = db.session.scalars(select(ListEntry).where(
        ListEntry.subject_id == current_user.subject_id, ListEntry.list_kind == ListKind.BLACK.value,
        ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value])).order_by(ListEntry.id))
    today = repair_exit.today()
    return [(e, why and messages.translate(why)) for e in entries
            for why in [repair_exit.refusal(db.session, e, today)]]


def _file_submit(form: RepairForm, actor):
    """File, attach the proof, sign and submit: all of it or nothing."""
    now = utcnow()
    case = case_service.file_case(db.session, "repair_exit", actor, form.filing(),
                                  submission_key=f"web:{form.submission_key.data}", now=now)
    if case.filed_at == now:  # this request filed it (not the same form sent twice)
        config = current_app.config["CREDIT_CASES"]
        evidence_service.store(db.session, case, form.uploads(), actor, config.upload_dir, config.max_upload_bytes,
                               purpose="proof")
        db.session.refresh(case, ["evidence"])
        case = case_service.take_action(db.session, case.id, "submit", actor, form.submission(), now=now)
    db.session.commit()
    return case


@bp.route("/cases/new/repair_exit", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def new_repair():
    refusal = _not_allowed_yet()
    if refusal:
        return render_template("repair/new.html", form=None, refusal=refusal, entries=[]), (
            403 if request.method == "POST" else 200)
    entries = _blacklist_entries()
    form = RepairForm()
    choices = [(e.id, " · ".join(filter(None, (e.document_no, localized(e.department))))) for e, why in entries
               if why is None]
    form.list_entry_id.choices = choices if len(choices) == 1 else [("", _("— choose —")), *choices]
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    commitments = {e.id: repair_exit.commitment_of(e) for e, why in entries if why is None}
    if form.validate_on_submit():
        try:
            try:
                case = _file_submit(form, current_actor())
            except IntegrityError:  # the same form sent twice at once: the other request filed it, find it by key
                db.session.rollback()
                case = _file_submit(form, current_actor())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_template("repair/new.html", form=form, refusal=None, entries=entries,
                                   commitments=commitments), error.http_status
        flash(_("Your credit repair application was submitted as case #%(id)s.", id=case.id), "success")
        return redirect(url_for("cases.show", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template("repair/new.html", form=form, refusal=None, entries=entries, commitments=commitments), status


@bp.route("/lists/<int:entry_id>/escalate", methods=["GET", "POST"])
@roles_required(Role.LISTING_DEPARTMENT)
def escalate(entry_id: int):
    entry = list_lifecycle.escalatable(db.session, entry_id, current_actor())  # its own listing department only
    form = EscalationForm()
    form.measures.choices = [(m.code, f"{m.code} · {localized(m)}") for m in catalogue(db.session)
                             if m.active and m.effect == "punishment"]
    if form.validate_on_submit():
        request_ = list_lifecycle.Escalation(entry.id, form.basis.data, form.document_no.data, form.valid_until.data,
                                             list(form.measures.data))
        try:
            black = list_lifecycle.escalate_to_blacklist(db.session, request_, current_actor())
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(messages.error_message(error))
            return render_template("repair/escalate.html", form=form, entry=entry), error.http_status
        db.session.commit()
        flash(_("The subject is on the blacklist (entry #%(id)s); the departments are being told.", id=black.id),
              "success")
        return redirect(url_for("subjects.show", code=entry.subject.code))
    return render_template("repair/escalate.html", form=form, entry=entry), 422 if form.is_submitted() else 200
