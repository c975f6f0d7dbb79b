"""Steps for SLA timer events (warning, breach), shared by every process flow."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.domain.roles import Role
from workflows.services import notify
from workflows.services.consequences import tell_role
from workflows.services.urging import head_of_supervision
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case, Timer

from .base import StepResult, Steps

step = Steps("timer")

OWNER_ROLES = {"accepting_office": Role.ACCEPTING_OFFICE, "applicant": Role.APPLICANT}


def _owners(session: Session, event: OutboxEvent, case: Case, subject: str, body: str) -> list[int]:
    timer = session.get(Timer, event.payload.get("timer_id"))
    owner = timer.owner if timer else "department"
    if owner == "department":
        ids = []
        department_id = (timer.department_id if timer else None) or case.department_id  # an urging names its own
        for role in (Role.INFORMATION_PROVIDER, Role.LISTING_DEPARTMENT, Role.IMPLEMENTING_DEPARTMENT):
            ids += tell_role(session, event, case, role, subject, body, department_id)
        return ids
    return tell_role(session, event, case, OWNER_ROLES.get(owner, Role.ACCEPTING_OFFICE), subject, body)


@step
def warn(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Whoever owns the step is warned that its limit ends soon."""
    due = event.payload.get("due_on", "")
    return StepResult(_owners(session, event, case, f"办理期限即将届满（案件 #{case.id}）",
                              f"案件 #{case.id} 的办理期限将于 {due} 届满，请及时办理。\nCase #{case.id} is due on {due}."))


@step
def breach(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The case is overdue: the step's owner and the supervisors are told."""
    due = event.payload.get("due_on", "")
    body = f"案件 #{case.id} 已超过办理期限（{due}），已列为逾期并报督办。\nCase #{case.id} is overdue since {due}."
    ids = _owners(session, event, case, f"案件已逾期（案件 #{case.id}）", body)
    ids += tell_role(session, event, case, Role.SUPERVISOR, f"逾期案件待督办（案件 #{case.id}）", body)
    return StepResult(ids)


@step
def escalate(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Still overdue after the set number of working days: the head of supervision is told."""
    due = event.payload.get("due_on", "")
    body = (f"案件 #{case.id} 逾期（期限 {due}）已超过规定天数仍未办结，升级报督办负责人。\n"
            f"Case #{case.id}, due on {due}, is still open: escalated to the head of supervision.")
    subject = f"逾期案件二次升级（案件 #{case.id}）"
    head = head_of_supervision(session)
    if head is not None:  # the head of supervision by name; every supervisor when none is named
        ids = notify.notify(session, [head], kind=f"case_{event.kind}", key=f"e{event.id}:head", case_id=case.id,
                            subject=subject, body=body)
    else:
        ids = tell_role(session, event, case, Role.SUPERVISOR, subject, body)
    return StepResult(ids + _owners(session, event, case, f"逾期案件已升级督办（案件 #{case.id}）", body))


