"""The administrator's page of the written decisions' numbering: each department's pattern."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from forms.admin import NumberingForm
from workflows.domain.documents import pattern_for_reader
from workflows.domain.errors import DomainError
from workflows.services.documents import numbering

from ...access import current_actor
from ...extensions import db
from ...ui import localized
from .blueprint import admin_only, bp, show_error


def _numbering_page(posted_code: str | None = None, posted_form=None, status: int = 200):
    language = get_locale().language
    rows = [(department, shown, own, posted_form if department.code == posted_code
             else NumberingForm(formdata=None, data={"pattern": shown}))
            for department, pattern, own in numbering.patterns(db.session)
            for shown in [pattern_for_reader(pattern, language)]]
    return render_template("admin/numbering.html", rows=rows), status


@bp.get("/numbering")
@admin_only
def numbering_patterns():
    return _numbering_page()


@bp.post("/numbering/<code>")
@admin_only
def change_numbering(code: str):
    form = NumberingForm()
    if form.validate_on_submit():
        try:
            numbering.set_pattern(db.session, code, form.pattern.data, current_actor())
        except DomainError as error:
            db.session.rollback()
            if error.http_status == 404:
                return _numbering_page(status=404)
            show_error(form, error)
            return _numbering_page(code, form, 422)
        db.session.commit()
        names = {department.code: localized(department) for department, _pattern, _own in numbering.patterns(db.session)}
        flash(_("Saved: the numbering pattern of %(department)s.", department=names.get(code, code)), "success")
        return redirect(url_for(".numbering_patterns", _anchor=f"numbering-{code}"))
    return _numbering_page(code, form, 422)
