"""Execution feedback pages (执行反馈): an implementing department's inbox of instructions on measures, each
confirmed once carried out; supervisors see every department's and urge the overdue ones."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.supervision import ConfirmInstructionForm, UrgeInstructionsForm
from sla import calendar
from workflows.domain.errors import DomainError
from workflows.domain.roles import Role
from workflows.services.lists import instructions
from workflows.store.base import utcnow

from .. import messages
from ..access import current_actor, roles_required
from ..extensions import db
from .supervision import show_error

bp = Blueprint("instructions", __name__, url_prefix="/instructions")

readers = roles_required(Role.IMPLEMENTING_DEPARTMENT, Role.SUPERVISOR, Role.ADMINISTRATOR)


def _status() -> str:
    status = request.args.get("status", "open")
    return status if status in instructions.STATUSES else "open"


@bp.get("/")
@readers
def index():
    actor, status = current_actor(), _status()
    department = (request.args.get("department") or "").strip() or None
    rows = instructions.listed(db.session, actor, status, department)
    today = calendar.local_date(utcnow())
    confirm_forms = ({i.id: ConfirmInstructionForm(formdata=None, prefix=f"i{i.id}", carried_out_on=today)
                      for i in rows if i.status(today) in ("open", "overdue")}
                     if Role.IMPLEMENTING_DEPARTMENT in actor.roles else {})
    urge = None
    if Role.SUPERVISOR in actor.roles and department and status == "overdue" and rows:
        urge = UrgeInstructionsForm(formdata=None, department=department)
    return render_template("instructions/index.html", rows=rows, status=status, department=department, today=today,
                           forms=confirm_forms, urge=urge, statuses=instructions.STATUSES)


@bp.get("/<int:instruction_id>")
@readers
def show(instruction_id: int):
    instruction = instructions.get_for(db.session, current_actor(), instruction_id)
    today = calendar.local_date(utcnow())
    form = ConfirmInstructionForm(formdata=None, prefix=f"i{instruction.id}", carried_out_on=today)
    return render_template("instructions/show.html", instruction=instruction, today=today, form=form,
                           can_confirm=Role.IMPLEMENTING_DEPARTMENT in current_actor().roles)


@bp.post("/<int:instruction_id>/confirm")
@roles_required(Role.IMPLEMENTING_DEPARTMENT)
def confirm(instruction_id: int):
    instruction = instructions.get_for(db.session, current_actor(), instruction_id)
    form = ConfirmInstructionForm(prefix=f"i{instruction_id}")
    today = calendar.local_date(utcnow())
    if form.validate_on_submit():
        try:
            instructions.confirm(db.session, instruction_id, current_actor(), form.carried_out_on.data,
                                 form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_template("instructions/show.html", instruction=instruction, today=today,
                                   form=form, can_confirm=True), error.http_status
        db.session.commit()
        flash(_("Instruction #%(id)s confirmed as carried out.", id=instruction_id), "success")
        return redirect(url_for(".index"))
    return render_template("instructions/show.html", instruction=instruction, today=today, form=form,
                           can_confirm=True), 422


@bp.post("/urge")
@roles_required(Role.SUPERVISOR)
def urge():
    form = UrgeInstructionsForm()
    department = form.department.data or ""
    back = url_for(".index", status="overdue", department=department)
    if form.validate_on_submit():
        try:
            urged = instructions.urge(db.session, current_actor(), department, form.message.data)
        except DomainError as error:
            db.session.rollback()
            flash(messages.error_message(error), "error")
            return redirect(back)
        db.session.commit()
        flash(_("%(num)s instructions urged: the department has been told.", num=len(urged)), "success")
        return redirect(back)
    flash(_("Write at least 4 and at most 4000 characters."), "error")
    return redirect(back)
