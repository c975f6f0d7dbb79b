"""The blacklist re-evaluation page: a listing department states the changed criterion and the conditions, sees
its blacklist entries that the rule no longer covers, and exits those it ticks onto the key-attention list, all
at once, with the key-attention validity it sets."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.removal import BlacklistReevaluationForm
from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services.lists import blacklist_reevaluation as reevaluation
from workflows.services.lists.reevaluation import Reevaluation

from .. import messages
from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("blacklist", __name__, url_prefix="/blacklist")


def _show_error(form, error: DomainError) -> None:
    field = form._fields.get(error.field) if error.field else None
    (field.errors if field is not None else form.form_errors).append(messages.error_message(error))


def _rule(form: BlacklistReevaluationForm) -> Reevaluation:
    return Reevaluation(statement=form.statement.data or "", category=form.category.data or "",
                        listed_before=form.listed_before.data, basis_contains=form.basis_contains.data or "")


@bp.route("/re-evaluation", methods=["GET", "POST"])
@roles_required(Role.LISTING_DEPARTMENT)
def reevaluate():
    form = BlacklistReevaluationForm()
    entries = None
    if form.validate_on_submit():
        try:
            if form.confirm.data:
                ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
                keys = reevaluation.confirm(db.session, current_actor(), _rule(form), ids,
                                            {"key_attention_until": form.key_attention_until.data})
                db.session.commit()
                flash(_("%(n)s blacklist entries exited; the subjects are on the key-attention list until %(day)s.",
                        n=len(ids), day=keys[0].valid_until.isoformat() if keys else ""), "success")
                return redirect(url_for("listings.index"))
            entries = reevaluation.preview(db.session, current_actor(), _rule(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
            entries = _still_matching(form) if form.confirm.data else None
            return _page(form, entries, 422)
    return _page(form, entries, 422 if form.is_submitted() and form.errors else 200)


def _page(form, entries, status: int):
    """The re-evaluation page shared with the red list's, in the blacklist's words."""
    words = SimpleNamespace(
        title=_("Re-evaluate blacklist entries"), back=_("Listings"), back_url=url_for("listings.index"),
        lead=_("When the criteria change, state the new rule and the conditions that pick your department’s blacklist "
               "entries that it no longer covers. You see them before anything changes; those you tick exit the "
               "blacklist all at once, each exit is announced where the listing was published, and each subject goes "
               "onto the key-attention list until the day you set."),
        column=_("Exit"), count=lambda n: _("%(n)s entries would exit the blacklist", n=n),
        tick=lambda entry_id: _("Exit entry #%(id)s", id=entry_id))
    return render_template("lists/reevaluate.html", form=form, entries=entries, words=words), status


def _still_matching(form: BlacklistReevaluationForm):
    """After a refused confirmation (no validity, say), the preview again, so the department can correct it."""
    try:
        return reevaluation.preview(db.session, current_actor(), _rule(form))
    except DomainError:
        return None
