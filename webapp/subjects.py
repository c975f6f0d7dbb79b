"""A subject's page: its lists and measures, as the viewer may see them."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from workflows.services.subjects import subject_view

from .access import current_actor
from .extensions import db

bp = Blueprint("subjects", __name__)


@bp.route("/subjects/<code>")
@login_required
def show(code: str):
    view = subject_view(db.session, code, current_actor())
    return render_template("subject.html", view=view)
