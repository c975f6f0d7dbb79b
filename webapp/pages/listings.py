"""The listing department's pages (record a listing, import a file) and the implementing department's webhooks."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forms.listings import EndpointForm, ImportForm, ListingForm, RedeliverForm
from sla.calendar import local_date
from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services.deliveries import webhooks
from workflows.services.hub import hub_queries
from workflows.services.lists import bulk_import, catalogue, responsible_persons
from workflows.services.lists.listings import ListingRequest, check_listing_department, list_for_department
from workflows.store.base import utcnow

from .. import messages
from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("listings", __name__)
listers = roles_required(Role.LISTING_DEPARTMENT, Role.ADMINISTRATOR)
implementers = roles_required(Role.IMPLEMENTING_DEPARTMENT)


def _departments(form) -> None:
    """Administrators choose the department; a listing department lists for itself."""
    if current_user.department is not None and not current_user.has_role(Role.ADMINISTRATOR):
        del form.department
    else:
        form.department.choices = [SelectChoice(d.code, d.name) for d in catalogue.departments(db.session)]


def _department_code(form) -> str:
    return form.department.data if "department" in form else current_user.department.code


def _show_error(form, error: DomainError, aliases: dict[str, str]) -> None:
    field = form._fields.get(aliases.get(error.field, error.field or ""))
    message = messages.translate(error)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


@bp.get("/listings")
@listers
def index():
    department = None if current_user.has_role(Role.ADMINISTRATOR) else current_user.department.code
    page = hub_queries.entries_for_staff(db.session, current_actor(), department=department,
                                         page=min(max(1, request.args.get("page", 1, type=int)), 1_000_000), per_page=50)
    return render_template("listings/index.html", page=page)


@bp.route("/listings/new", methods=["GET", "POST"])
@listers
def new():
    form = ListingForm()
    _departments(form)
    items = [m for m in catalogue.catalogue(db.session) if m.active]
    form.measures.choices = [SelectChoice(m.code, f"{m.code} · {m.name}") for m in items]
    if form.validate_on_submit():
        listing = ListingRequest(form.subject_code.data.strip().upper(), form.subject_name.data, form.list_kind.data,
                                 _department_code(form), form.basis.data, form.document_no.data, form.listed_on.data,
                                 form.valid_until.data, form.measures.data or [], form.category.data or "",
                                 form.published_channel.data or "",
                                 responsible_persons.from_lines(form.legal_representative_code.data,
                                                                form.legal_representative_name.data,
                                                                form.responsible_persons.data))
        try:
            entry = list_for_department(db.session, listing, current_actor())
        except DomainError as error:
            db.session.rollback()
            legal = bool(form.legal_representative_code.data or form.legal_representative_name.data)
            person = "legal_representative_code" if legal and error.details.get("index") == 1 else None
            _show_error(form, error, {"code": "subject_code", "name": "subject_name", "list": "list_kind",
                                      responsible_persons.FIELD: person or responsible_persons.FIELD})
            return render_template("listings/new.html", form=form), 422
        db.session.commit()
        flash(_("Listing #%(id)s recorded; the implementing departments are told.", id=entry.id), "success")
        return redirect(url_for("subjects.show", code=entry.subject.code))
    return render_template("listings/new.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/listings/import", methods=["GET", "POST"])
@listers
def bulk():
    form = ImportForm()
    _departments(form)
    problems = None
    if form.validate_on_submit():
        department = _department_code(form)
        upload = form.file.data
        try:
            check_listing_department(current_actor(), department, db.session)
            entries = bulk_import.import_listings(db.session, upload.filename, upload.read(), current_actor(),
                                                  department_code=department, today=local_date(utcnow()))
        except bulk_import.ImportRejected as rejected:
            db.session.rollback()
            problems = [{"row": p.row, "column": p.column, "message": messages.translate(p)} for p in rejected.problems]
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(messages.translate(error))
        else:
            db.session.commit()
            flash(_("%(count)s listings recorded.", count=len(entries)), "success")
            return redirect(url_for(".index"))
    status = 422 if form.is_submitted() else 200
    return render_template("listings/import.html", form=form, problems=problems,
                           columns=bulk_import.COLUMNS, optional=bulk_import.OPTIONAL), status


# --- an implementing department's webhooks ---

@bp.route("/webhooks", methods=["GET", "POST"])
@implementers
def hooks():
    form = EndpointForm()
    secret = None
    if form.validate_on_submit():
        try:
            config = current_app.config["CREDIT_CASES"]
            endpoint = webhooks.register_endpoint(db.session, current_actor(), form.url.data,
                                                  allow_http=config.testing,
                                                  allowed_hosts=config.webhook_allowed_hosts)
        except DomainError as error:
            db.session.rollback()
            form.url.errors = [*form.url.errors, messages.translate(error)]
        else:
            secret = endpoint.secret
            db.session.commit()
            flash(_("Endpoint registered. Keep the signing secret now: it is not shown again."), "success")
    actor = current_actor()
    return render_template("webhooks/index.html", form=form, secret=secret,
                           endpoints=webhooks.endpoints_of(db.session, actor),
                           deliveries=webhooks.deliveries_of(db.session, actor, limit=50),
                           redeliver=RedeliverForm(formdata=None)), 422 if form.errors else 200


@bp.post("/webhooks/deliveries/<int:delivery_id>/redeliver")
@implementers
def redeliver(delivery_id: int):
    if RedeliverForm().validate_on_submit():
        webhooks.redeliver(db.session, current_actor(), delivery_id)
        db.session.commit()
        flash(_("Redelivery queued: the worker sends it in a moment."), "success")
    return redirect(url_for(".hooks"))
