"""Steps for urging events (督办), shared by every process flow like the timer steps."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.services import notify
from workflows.services.urging import department_users
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
    due = urging.reply_by.isoformat()
    return StepResult(notify.notify(
        session, department_users(session, urging.department_id), kind="urging", key=f"e{event.id}:urged",
        case_id=case.id, subject=f"督办通知：请于 {due} 前办理并回复（案件 #{case.id}）",
        body=(f"督办人：{urging.urged_by_label}\n督办事项：{urging.message}\n回复期限：{due}\n"
              f"Urged on case #{case.id}: {urging.message}\nReply by {due}.")))


@step
def tell_supervisor(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The supervisor who urged is told the department's reply."""
    urging = _urging(session, event)
    supervisor = session.get(User, urging.urged_by_id) if urging and urging.urged_by_id else None
    if urging is None or supervisor is None:
        return StepResult()
    return StepResult(notify.notify(
        session, [supervisor], kind="urging_reply", key=f"e{event.id}:reply", case_id=case.id,
        subject=f"督办回复：{urging.department.name}（案件 #{case.id}）",
        body=f"{urging.replied_by_label}：{urging.reply}\nReply to your urging on case #{case.id}: {urging.reply}"))


