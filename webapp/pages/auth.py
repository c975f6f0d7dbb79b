"""Log in, log out, sign up, change one's password, one's mobile number and SMS choice."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forms.auth import ContactForm, LoginForm, PasswordForm, SignUpForm
from workflows.domain.errors import DomainError
from workflows.services.admin import accounts
from workflows.store.base import utcnow

from ..extensions import db
from ..messages import translate
from ..security import same_site_path

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.username.data, form.password.data, now=utcnow(),
                                         client=request.remote_addr or "")
        except accounts.LoginRefused as refused:
            db.session.commit()  # keep the failure count
            if refused.retry_after:
                flash(_("Too many failed log-ins from here: wait %(seconds)s seconds before the next attempt.",
                        seconds=refused.retry_after), "error")
                return render_template("auth/login.html", form=form), 429, {"Retry-After": str(refused.retry_after)}
            flash(_(str(refused)), "error")
            return render_template("auth/login.html", form=form), 401
        db.session.commit()
        login_user(user)
        return redirect(same_site_path(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:  # every session and token of the user ends, a copied cookie too
        accounts.end_sessions(current_user)
        db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field, form.password).errors.append(translate(error))
            return render_template("auth/password.html", form=form), 422
        db.session.commit()
        login_user(current_user._get_current_object())  # this session goes on in the new generation; every other one has ended
        flash(_("Your password is changed. Every other session and token of your account has ended."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up_applicant(
                db.session, code=form.code.data, name=form.name.data, username=form.username.data,
                password=form.password.data, email=form.email.data or "", phone=form.phone.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field, form.code).errors.append(translate(error))
            return render_template("auth/signup.html", form=form), 422
        db.session.commit()
        login_user(user)
        if user.claim_status == "pending":
            flash(_("Signed up. The credit office will confirm that you act for this subject before you can file."), "info")
        return redirect(url_for("main.home"))
    return render_template("auth/signup.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/account/contact", methods=["GET", "POST"])
@login_required
def contact():
    form = ContactForm()
    if not form.is_submitted():
        form.phone.data, form.sms.data = current_user.phone, current_user.sms_opt_in
    if form.validate_on_submit():
        try:
            accounts.set_contact(db.session, current_user, phone=form.phone.data or "", sms_opt_in=form.sms.data)
        except DomainError as error:
            db.session.rollback()
            form.phone.errors.append(translate(error))
            return render_template("auth/contact.html", form=form), 422
        db.session.commit()
        flash(_("Your mobile number and SMS choice are saved."), "success")
        return redirect(url_for(".contact"))
    return render_template("auth/contact.html", form=form), (422 if form.is_submitted() else 200)
