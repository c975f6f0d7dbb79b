"""The administrator's pages of users, and applicants' claims (also the credit office's)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.admin import RejectClaimForm, UserFilterForm, UserForm
from forms.auth import PasswordResetForm
from workflows.domain.errors import DomainError
from workflows.services.admin import accounts, administration
from workflows.store.models import User

from ... import messages
from ...access import current_actor
from ...extensions import db
from .blueprint import admin_only, bp, department_choices, form_status, invalid, office_or_admin, show_error

# --- users ----------------------------------------------------------------------------------------

@bp.get("/")
@admin_only
def index():
    return redirect(url_for(".users"))


@bp.get("/users")
@admin_only
def users():
    return _users_page()


def _users_page(row_errors: dict[int, str] | None = None, status: int = 200):
    filters = UserFilterForm(formdata=request.args)
    page = administration.users(db.session, search=filters.q.data or "", role=filters.role.data or "",
                                page=min(max(1, request.args.get("page", 1, type=int)), 1_000_000))
    return render_template("admin/users.html", page=page, filters=filters, row_errors=row_errors or {}), status


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = UserForm()
    form.department.choices = department_choices(blank=True)
    if form.validate_on_submit():
        try:
            accounts.create_user(
                db.session, username=form.username.data, password=form.password.data, roles=form.roles.data,
                actor=current_actor(), department_code=form.department.data or None,
                subject_code=form.subject.data or None, display_name=form.display_name.data or "",
                email=form.email.data or "", phone=form.phone.data or "")
        except DomainError as error:
            return invalid(form, error, "admin/user_form.html", aliases={"role": "roles"})
        db.session.commit()
        flash(_("User %(name)s created.", name=form.username.data), "success")
        return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form), form_status(form)


@bp.post("/users/<int:user_id>/active")
@admin_only
def set_user_active(user_id: int):
    if request.form.get("active") not in ("0", "1"):  # a missing or garbled value must not disable anyone
        return _users_page({user_id: _("Say whether the user may log in: active must be 0 or 1.")}, 422)
    active = request.form.get("active") == "1"
    try:
        user = administration.set_user_active(db.session, user_id, active, current_actor())
    except DomainError as error:
        db.session.rollback()
        return _users_page({user_id: messages.translate(error)}, 422)
    db.session.commit()
    if active:
        flash(_("%(name)s can log in again.", name=user.username), "success")
    else:
        flash(_("%(name)s can no longer log in.", name=user.username), "success")
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/admin/") else url_for(".users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_only
def reset_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session, user_id, form.password.data, current_actor())
        except DomainError as error:
            return invalid(form, error, "admin/password_reset.html", user=user)
        db.session.commit()
        flash(_("New password set for %(name)s: every session and token of the account has ended. Tell the user the "
                "password by a safe way.", name=user.username), "success")
        return redirect(url_for(".users"))
    return render_template("admin/password_reset.html", form=form, user=user), form_status(form)


# --- applicants' claims ---------------------------------------------------------------------------

@bp.get("/claims")
@office_or_admin
def claims():
    return _claims_page()


def _claims_page(posted: dict[int, RejectClaimForm] | None = None, status: int = 200):
    pending = administration.pending_claims(db.session)
    forms = {user.id: (posted or {}).get(user.id) or RejectClaimForm(formdata=None) for user in pending}
    return render_template("admin/claims.html", pending=pending, reject_forms=forms), status


@bp.post("/claims/<int:user_id>/confirm")
@office_or_admin
def confirm_claim(user_id: int):
    try:
        user = accounts.decide_claim(db.session, user_id, confirm=True, actor=current_actor())
    except DomainError as error:
        db.session.rollback()
        flash(messages.translate(error), "error")
        return _claims_page(status=422)
    db.session.commit()
    flash(_("Confirmed: %(name)s acts for %(subject)s.", name=user.username, subject=user.subject.name), "success")
    return redirect(url_for(".claims"))


@bp.post("/claims/<int:user_id>/reject")
@office_or_admin
def reject_claim(user_id: int):
    form = RejectClaimForm()
    if form.validate_on_submit():
        try:
            user = accounts.decide_claim(db.session, user_id, confirm=False, actor=current_actor(),
                                         reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return _claims_page({user_id: form}, 422)
        db.session.commit()
        flash(_("Rejected the claim of %(name)s.", name=user.username), "success")
        return redirect(url_for(".claims"))
    return _claims_page({user_id: form}, 422)
