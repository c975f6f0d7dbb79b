"""The case pages: my cases, the reviewer's inbox, filing an objection, a case and its actions, its files,
and the in-app notifications. The same services as webapp/api/cases.py."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from forms.cases import CaseFilterForm, MarkReadForm, ObjectionForm, action_form
from workflows.domain.errors import DomainError, NotFound
from workflows.domain.lists import EntryStatus
from workflows.domain.roles import STAFF_ROLES, Role
from workflows.processes import diagram
from workflows.services.admin import administration
from workflows.services.casework import cases as case_service
from workflows.services.casework import evidence as evidence_service
from workflows.services.casework import queries
from workflows.services.casework.actors import actor_for
from workflows.services.casework.history_view import case_record
from workflows.services.deliveries import notify
from workflows.services.lists import erasure
from workflows.services.lists.subjects import subject_view
from workflows.services.processes.removal_rules import contested_removal
from workflows.store.automation import Notification
from workflows.store.base import utcnow

from .. import labels, messages
from ..access import current_actor, roles_required
from ..api.v1 import token_required
from ..extensions import db
from ..ui import localized
from .common import case_rows, department_choices, filed_facts, show_error

bp = Blueprint("cases", __name__)

applicants_only = roles_required(Role.APPLICANT)
staff_only = roles_required(*STAFF_ROLES)
PER_PAGE = 20
# actions taken on one item of the case through its own panel (the green channel's materials, with their files)
PER_ITEM = {("conditional_acceptance", "submit_materials"), ("conditional_acceptance", "verify_materials")}


for _name in ("process_label", "state_label", "action_label", "actor_label", "deadline_label",
              "deadline_status_label", "list_label", "field_label", "filed_value_label", "category_label",
              "in_reader_language", "file_purpose_label"):
    bp.add_app_template_filter(getattr(labels, _name), _name)


@bp.app_context_processor
def navigation():
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return notify.unread_count(db.session, current_user.id)
        except SQLAlchemyError:  # an error page must still render when the database is what failed
            return 0

    return {"unread_notifications": unread_notifications}


# --- lists ----------------------------------------------------------------------------------------

def _page_number() -> int:
    return min(max(1, request.args.get("page", 1, type=int)), 1_000_000)  # a huge page is the last, not an overflow


@bp.get("/cases")
@login_required
def index():
    filters = CaseFilterForm(formdata=request.args)
    filters.department.choices = department_choices(_("All departments"))
    page = queries.list_cases(db.session, current_actor(), **filters.query(), page=_page_number(), per_page=PER_PAGE)
    return render_template("cases/index.html", page=page, rows=case_rows(page.items), filters=filters,
                           staff=bool(current_user.roles & STAFF_ROLES))


@bp.get("/inbox")
@staff_only
def inbox():
    page = queries.list_cases(db.session, current_actor(), inbox=True, page=_page_number(), per_page=PER_PAGE)
    return render_template("cases/inbox.html", page=page, rows=case_rows(page.items))


# --- filing an objection --------------------------------------------------------------------------

def _filing_refusal() -> str | None:
    """Why this applicant cannot file now, in words the applicant can act on."""
    if current_user.subject is None:
        return _("Your account is not linked to a credit subject, so you cannot file an objection.")
    if current_user.claim_status == "pending":
        return _("The credit office has not yet confirmed that you act for %(subject)s. You can file once it has; "
                 "this usually takes a few working days.", subject=current_user.subject.name)
    if current_user.claim_status != "confirmed":
        reason = administration.claim_rejection_reason(db.session, current_user.id)
        text = _("The credit office did not confirm that you act for %(subject)s, so you cannot file for it.",
                 subject=current_user.subject.name)
        return f"{text} {_('Reason:')} {reason}" if reason else text
    return None


def _entry_choices(actor) -> list[tuple[int, str]]:
    """What an objection can be against: the subject's active list entries, its exited entries kept in the record,
    and a red-list entry whose removal rests on a department's finding (abuse, a broken commitment, changed
    criteria) that is still open to objection."""
    view = subject_view(db.session, current_user.subject.code, actor)

    def label(entry) -> str:
        parts = [labels.list_label(entry.list_kind), entry.document_no, localized(entry.department)]
        if entry.status != EntryStatus.ACTIVE.value:
            parts.append(_("its removal from the red list") if entry.list_kind == "red"
                         else _("exited, kept in the credit record"))
        return " · ".join(filter(None, parts))

    # any record kept may be disputed: an entry in force, an exited one kept (a red one: only its removal)
    return [(e.id, label(e)) for e in view.entries if e.status == EntryStatus.ACTIVE.value or _contestable(e)
            or (e.status == EntryStatus.EXITED.value and e.list_kind != "red")]


def _contestable(entry) -> bool:
    try:
        return contested_removal(db.session, entry) is not None
    except DomainError:  # removed for a reason that cannot be contested, or already decided
        return False


def _file_and_store(form: ObjectionForm, actor):
    now = utcnow()
    case = case_service.file_case(db.session, "objection", actor, form.params(),
                                  submission_key=f"web:{form.submission_key.data}", now=now)
    if case.filed_at == now:  # filed by this request, not the same form sent again: its files belong to it
        config = current_app.config["CREDIT_CASES"]
        evidence_service.store(db.session, case, form.uploads(), actor, config.upload_dir, config.max_upload_bytes)
    return case


def _file_objection(form: ObjectionForm, actor):
    try:
        case = _file_and_store(form, actor)
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the other request filed it, find it by its key
        db.session.rollback()
        case = _file_and_store(form, actor)
        db.session.commit()
    return case


@bp.route("/cases/new/objection", methods=["GET", "POST"])
@applicants_only
def new_objection():
    refusal = _filing_refusal()
    if refusal:
        return render_template("cases/new_objection.html", form=None, refusal=refusal), (
            403 if request.method == "POST" else 200)
    actor = current_actor()
    form = ObjectionForm()
    entries = _entry_choices(actor)
    form.list_entry_id.choices = entries if len(entries) == 1 else [("", _("— choose —")), *entries]
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())  # one key per rendered form: sent twice, it files once
    if not form.is_submitted():
        form.contact_phone.data = current_user.phone
    if form.validate_on_submit():
        try:
            case = _file_objection(form, actor)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_template("cases/new_objection.html", form=form, refusal=None, has_entries=True), 422
        flash(_("Your objection was filed as case #%(id)s.", id=case.id), "success")
        return redirect(url_for(".show", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template("cases/new_objection.html", form=form, refusal=None, has_entries=bool(entries)), status


# --- one case -------------------------------------------------------------------------------------

def _visible_case(case_id: int, actor=None):
    """The case if this viewer may see it; 404 otherwise, so its existence is not given away."""
    try:
        case = case_service.get_case(db.session, case_id)
    except NotFound:
        abort(404)
    if not case_service.may_view(case, actor or current_actor()):
        abort(404)
    return case


def _case_page(case, posted: dict | None = None, error: str | None = None, status: int = 200):
    """The case page; errors of a posted form that concern no field are shown at the top."""
    actor = current_actor()
    definition = case_service.process_definition_of(case)
    errors = [*([error] if error else []), *(e for form in (posted or {}).values() for e in form.form_errors)]
    # a field error is shown beside its field, far down on a phone: the top says where
    invalid = next((name for name, form in (posted or {}).items() if any(f.errors for f in form)), None)
    forms = []
    for name in case_service.available_actions(db.session, case, actor):
        if (case.process, name) in PER_ITEM:
            continue  # the case page's panel has a form per item
        form = (posted or {}).get(name) or action_form(definition.action(name))(formdata=None)
        form.version.data = case.version  # a re-shown form acts on what the page now shows
        forms.append((name, form))
    now = utcnow()
    record = case_record(db.session, case, actor)  # its history, files and written decisions, in one statement
    # svg() escapes the text it draws, so its output is safe to insert as it is
    svg = Markup(diagram.svg(definition, current=case.state, labels=labels.diagram_labels(definition),
                             alt=labels.diagram_alt(definition, case.state)))
    return render_template(
        "cases/show.html", case=case, forms=forms, errors=errors, invalid=invalid, diagram=svg,
        filed=filed_facts(case, current_user.id), kept=erasure.kept_filing(db.session, case, current_user.id),
        outcome=erasure.purge_outcome(db.session, case),
        diagram_steps=labels.diagram_steps(definition),
        deadlines=[queries.deadline_status(t, now) for t in case.timers],
        history=record.history, evidence=record.evidence, documents=record.documents), status


@bp.get("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    return _case_page(_visible_case(case_id))


@bp.post("/cases/<int:case_id>/actions/<action>")
@login_required
def act(case_id: int, action: str):
    case = _visible_case(case_id)
    if (case.process, action) in PER_ITEM:
        return _case_page(case, error=_("Use the form of the material itself, with its file."), status=422)
    try:
        form = action_form(case_service.process_definition_of(case).action(action))()
    except DomainError as error:  # no such action in this process
        return _case_page(case, error=messages.error_message(error, action), status=error.http_status)
    actor = current_actor()
    # an action this viewer may not take now is refused for that reason below, whatever its fields hold
    if not form.validate_on_submit() and action in case_service.available_actions(db.session, case, actor):
        return _case_page(case, posted={action: form}, status=422)
    try:
        case = case_service.take_action(db.session, case_id, action, actor, form.params(),
                                        expected_version=form.version.data)
        uploads = form.uploads()
        if uploads:
            config = current_app.config["CREDIT_CASES"]
            evidence_service.store(db.session, case, uploads, actor, config.upload_dir, config.max_upload_bytes,
                                   purpose=action)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error, action)
        return _case_page(_visible_case(case_id), posted={action: form}, status=error.http_status)
    db.session.commit()
    flash(_("Done: %(action)s. The case is now “%(state)s”.", action=labels.action_label(action),
            state=labels.state_label(case.state)), "success")
    return redirect(url_for(".show", case_id=case_id))


def _send_evidence(actor, case_id: int, file_id: int):
    case = _visible_case(case_id, actor)
    stored = next((f for f in case.evidence if f.id == file_id), None) or abort(404)
    try:
        path = evidence_service.path_of(stored, current_app.config["CREDIT_CASES"].upload_dir)
    except NotFound:
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True, download_name=stored.original_name,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cases/<int:case_id>/files/<int:file_id>")
def evidence_file(case_id: int, file_id: int):
    """For a logged-in viewer of the case, or an API client with its token (the API links here)."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return token_required(lambda: _send_evidence(actor_for(g.api_user), case_id, file_id))()
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return _send_evidence(current_actor(), case_id, file_id)


# --- notifications --------------------------------------------------------------------------------
# No service reads or marks a user's inbox yet: these two queries belong in workflows.services.deliveries.notify.

def _notifications(user_id: int, page: int) -> queries.Page:
    query = select(Notification).where(Notification.user_id == user_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                               .offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    return queries.Page(list(items), total, page, PER_PAGE)


def _mark_read(user_id: int, notification_id: int | None) -> None:
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    db.session.execute(query.values(read_at=utcnow()))


@bp.get("/notifications")
@login_required
def notifications():
    page = _notifications(current_user.id, _page_number())
    return render_template("cases/notifications.html", page=page, form=MarkReadForm(formdata=None))


@bp.post("/notifications/read")
@login_required
def mark_read():
    form = MarkReadForm()
    if form.validate_on_submit():
        _mark_read(current_user.id, form.notification_id.data)
        db.session.commit()
    return redirect(url_for(".notifications", page=_page_number()))
