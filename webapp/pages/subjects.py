"""A subject's page: its lists and measures, as the viewer may see them."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from workflows.domain.roles import KEY_ATTENTION_VIEWERS
from workflows.services.hub import credit_queries
from workflows.services.lists import responsible_persons
from workflows.services.lists.subjects import subject_view

from ..access import current_actor
from ..extensions import db

bp = Blueprint("subjects", __name__)


@bp.route("/subjects/<code>")
@login_required
def show(code: str):
    actor = current_actor()
    view = subject_view(db.session, code, actor)
    # who queried its credit status (应查必查): shown to the subject itself and to entitled staff
    looks = credit_queries.who_looked(db.session, code, actor, limit=50) if view.shows_key_attention else None
    # the persons named in an enterprise's blacklisting: in full for staff, by surname and without ID otherwise
    staff = bool(actor.roles & KEY_ATTENTION_VIEWERS)
    persons = {e.id: [p for p in (responsible_persons.shown(link, staff) for link in e.responsible_persons) if p]
               for e in view.entries}
    records = responsible_persons.records_of(db.session, view.subject) if view.shows_key_attention else []
    return render_template("subject.html", view=view, looks=looks, persons=persons, records=records)
