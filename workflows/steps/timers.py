"""Steps for SLA timer events (warning, breach), shared by every process flow."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.domain.roles import Role
from workflows.services.deliveries import notify
from workflows.services.lists.consequences import tell_role
from workflows.services.supervision.urging import head_of_supervision
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case, Timer

from .base import StepResult, Steps

step = Steps("timer")

OWNER_ROLES = {"accepting_office": Role.ACCEPTING_OFFICE, "applicant": Role.APPLICANT}


def _owners(session: Session, event: OutboxEvent, case: Case, kind: str, **params) -> list[int]:
    timer = session.get(Timer, event.payload.get("timer_id"))
    owner = timer.owner if timer else "department"
    if owner == "department":
        ids = []
        department_id = (timer.department_id if timer else None) or case.department_id  # an urging names its own
        for role in (Role.INFORMATION_PROVIDER, Role.LISTING_DEPARTMENT, Role.IMPLEMENTING_DEPARTMENT):
            ids += tell_role(session, event, case, role, kind, department_id, **params)
        return ids
    return tell_role(session, event, case, OWNER_ROLES.get(owner, Role.ACCEPTING_OFFICE), kind, **params)


@step
def warn(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Whoever owns the step is warned that its limit ends soon."""
    return StepResult(_owners(session, event, case, "deadline.warning", due=event.payload.get("due_on", "")))


@step
def breach(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The case is overdue: the step's owner and the supervisors are told."""
    due = event.payload.get("due_on", "")
    ids = _owners(session, event, case, "deadline.breached", due=due)
    ids += tell_role(session, event, case, Role.SUPERVISOR, "deadline.breached.supervise", due=due)
    return StepResult(ids)


@step
def escalate(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Still overdue after the set number of working days: the head of supervision is told."""
    due = event.payload.get("due_on", "")
    head = head_of_supervision(session)
    if head is not None:  # the head of supervision by name; every supervisor when none is named
        ids = notify.notice(session, "deadline.escalated", [head], key={"event": event.id, "to": "head"},
                            case_id=case.id, case=case.id, due=due)
    else:
        ids = tell_role(session, event, case, Role.SUPERVISOR, "deadline.escalated", due=due)
    return StepResult(ids + _owners(session, event, case, "deadline.escalated.owners", due=due))


