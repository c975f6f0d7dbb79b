"""Steps for urging events (督办), shared by every process flow like the timer steps."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.services.deliveries import notify
from workflows.services.supervision.urging import department_users
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case
from workflows.store.models import User
from workflows.store.supervision import Urging

from .base import StepResult, Steps

step = Steps("supervision")



def _urging(session: Session, event: OutboxEvent) -> Urging | None:
    return session.get(Urging, event.payload.get("urging_id"))


@step
def tell_department(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The urged department's staff are told what to do and by when."""
    urging = _urging(session, event)
    if urging is None:
        return StepResult()
    return StepResult(notify.notice(
        session, "urging.sent", department_users(session, urging.department_id), key={"event": event.id},
        case_id=case.id, case=case.id, by=urging.urged_by_label, message=urging.message, due=urging.reply_by))


@step
def tell_supervisor(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The supervisor who urged is told the department's reply."""
    urging = _urging(session, event)
    supervisor = session.get(User, urging.urged_by_id) if urging and urging.urged_by_id else None
    if urging is None or supervisor is None:
        return StepResult()
    department = urging.department
    return StepResult(notify.notice(
        session, "urging.replied", [supervisor], key={"event": event.id}, case_id=case.id, case=case.id,
        department=notify.bilingual(department.name, department.name_en), by=urging.replied_by_label,
        reply=urging.reply))


