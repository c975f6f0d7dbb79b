"""Written decisions as PDF: a case's documents for those who may view the case, a list entry's for those who may
see the entry. A logged-in viewer or an API client with its token (the API links here)."""
from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import Blueprint, abort, current_app, g, request, send_file
from flask_login import current_user

from workflows.domain.errors import NotFound
from workflows.domain.process import Actor
from workflows.services.casework.actors import actor_for
from workflows.services.documents import pdf, reading
from workflows.store.documents import DecisionDocument

from ..access import current_actor
from ..api.v1 import token_required
from ..extensions import db

bp = Blueprint("documents", __name__)


def _send(find: Callable[[Actor], DecisionDocument]):
    def send(actor: Actor):
        try:
            document = find(actor)
        except NotFound:
            abort(404)
        response = send_file(BytesIO(pdf.render(document)), mimetype="application/pdf",
                             as_attachment=request.args.get("download") == "1", download_name=pdf.file_name(document),
                             max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        return response

    if request.headers.get("Authorization", "").startswith("Bearer "):
        return token_required(lambda: send(actor_for(g.api_user)))()
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return send(current_actor())


@bp.get("/cases/<int:case_id>/documents/<int:document_id>.pdf")
def case_document(case_id: int, document_id: int):
    """A written decision of a case, as PDF (`?download=1`: as a download)."""
    return _send(lambda actor: reading.case_document(db.session, actor, case_id, document_id))


@bp.get("/list-entries/<int:entry_id>/documents/<int:document_id>.pdf")
def entry_document(entry_id: int, document_id: int):
    """The notice of a dishonesty record issued at a listing, as PDF."""
    return _send(lambda actor: reading.entry_document(db.session, actor, entry_id, document_id))
