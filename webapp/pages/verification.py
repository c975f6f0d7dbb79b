"""A verification the subject did not ask for (Z VII(3), Q V(6)): anyone's complaint about a record on the public
lists (投诉), a department's own finding that a record may be wrong (主动发现). Both file an objection case with its
`origin` through the same services as webapp/api/cases.py; the case page follows it from there."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from forms.verification import ComplaintForm, FindingForm
from workflows import clock
from workflows.domain.errors import DomainError
from workflows.domain.lists import EntryStatus
from workflows.domain.roles import DEPARTMENT_ROLES
from workflows.services.casework import cases as case_service
from workflows.services.casework import evidence as evidence_service
from workflows.services.lists.public_lists import public_entries_of
from workflows.services.lists.subjects import get_subject
from workflows.store.base import utcnow
from workflows.store.models import ListEntry

from .. import labels, messages
from ..access import current_actor, roles_required
from ..extensions import db
from ..ui import localized
from .common import show_error

bp = Blueprint("verification", __name__)


def _file(params: dict, form, key: str):
    """File the case and store its evidence once: the same form sent twice files one case."""
    actor = current_actor()

    def file_and_store():
        now = utcnow()
        case = case_service.file_case(db.session, "objection", actor, params, submission_key=key, now=now)
        if case.filed_at == now:
            config = current_app.config["CREDIT_CASES"]
            evidence_service.store(db.session, case, form.uploads(), actor, config.upload_dir,
                                   config.max_upload_bytes)
        return case

    try:
        case = file_and_store()
        db.session.commit()
    except IntegrityError:  # sent twice at once: the other request filed it
        db.session.rollback()
        case = file_and_store()
        db.session.commit()
    return case


def _entry_label(entry: ListEntry) -> str:
    return " · ".join(filter(None, [labels.list_label(entry.list_kind), entry.document_no, localized(entry.department),
                                    entry.basis[:60]]))


def _public_choices(form: ComplaintForm) -> list[tuple[int, str]] | None:
    """The subject's entries on the public lists, for the code given; None before a code is given or when it is
    wrong (the error shown beside it). Nothing the public lists do not show is ever offered."""
    code = (form.subject_code.data or "").strip()
    if not code:
        return None
    try:
        subject = get_subject(db.session, code)
    except DomainError as error:
        form.subject_code.errors = [*form.subject_code.errors, messages.error_message(error)]
        return None
    return [(e.id, _entry_label(e)) for e in public_entries_of(db.session, subject, clock.today())]


@bp.route("/complaints/new", methods=["GET", "POST"])
@login_required
def new_complaint():
    """Anyone logged in complains about an entry on the public lists; the complainant is told the outcome."""
    form = ComplaintForm(data={"subject_code": request.args.get("subject_code", ""),
                               "list_entry_id": request.args.get("entry", type=int)}
                         if request.method == "GET" else None)
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    choices = _public_choices(form)
    form.list_entry_id.choices = [("", _("— choose —")), *(choices or [])]
    if choices:  # the code chosen: another code is another complaint form
        form.subject_code.render_kw = {"readonly": True}
    status = 200
    if form.is_submitted() and choices is not None and form.validate_on_submit():
        try:
            case = _file(form.params(), form, f"web:{form.submission_key.data}")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.http_status
        else:
            flash(_("Your complaint was filed as case #%(id)s. You will be told its outcome.", id=case.id), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    elif form.is_submitted():
        form.validate()
        status = 422
    return render_template("verification/complaint.html", form=form, choices=choices), status


@bp.route("/findings/new/<int:entry_id>", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_ROLES)
def new_finding(entry_id: int):
    """A department's own finding: a record it supplied, or whose measure it applies, may be wrong."""
    entry = db.session.get(ListEntry, entry_id)
    if entry is None or entry.status == EntryStatus.PURGED.value:
        abort(404)
    form = FindingForm()
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    status = 200
    if form.validate_on_submit():
        try:
            case = _file(form.params(entry.id), form, f"web:{form.submission_key.data}")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.http_status
        else:
            flash(_("The verification was opened as case #%(id)s; the measures are suspended while it is verified.",
                    id=case.id), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    elif form.is_submitted():
        status = 422
    return render_template("verification/finding.html", form=form, entry=entry, label=_entry_label(entry)), status
