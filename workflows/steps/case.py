"""Steps every case process shares: the result pushed to the platform, the case closed once carried out."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.processes import definition
from workflows.services.casework.cases import take_action
from workflows.services.deliveries import platform
from workflows.services.lists.consequences import SYSTEM
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("case")


@step
def push_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The result is pushed to the municipal public credit platform (retried)."""
    delivery = platform.record_delivery(session, case, event.id, event.kind, runtime().config)
    return StepResult(delivery_id=delivery.id if delivery else None)


@step
def close(session: Session, event: OutboxEvent, case: Case) -> None:
    """The case, its decision carried out, is closed; the record is kept."""
    if case.state in definition(case.process).action("close").sources:
        take_action(session, case.id, "close", SYSTEM)
