"""What is owed outside: every delivery to the platform and to departments' webhooks with its attempts, for
administrators and supervisors; a redelivery is queued for the worker, never sent in the request."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.listings import RedeliverForm
from workflows.domain.roles import Role
from workflows.services.deliveries import outbound

from ..access import current_actor, roles_required
from ..extensions import db

bp = Blueprint("deliveries", __name__, url_prefix="/deliveries")

watchers = roles_required(Role.SUPERVISOR, Role.ADMINISTRATOR)
STATUSES = ("owed", "pending", "failed", "delivered")


@bp.get("")
@watchers
def index():
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        abort(404)
    return render_template("deliveries/index.html", status=status, statuses=STATUSES,
                           deliveries=outbound.listing(db.session, current_actor(), status=status),
                           redeliver=RedeliverForm(formdata=None))


@bp.post("/<any(platform, webhook, sms):target>/<int:delivery_id>/redeliver")
@watchers
def redeliver(target: str, delivery_id: int):
    if RedeliverForm().validate_on_submit():
        outbound.request_redelivery(db.session, current_actor(), target, delivery_id)
        db.session.commit()
        flash(_("Redelivery queued: the worker sends it in a moment."), "success")
    return redirect(url_for(".index", status=request.args.get("status") or None))
