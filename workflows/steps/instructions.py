"""Steps of execution feedback's own events: a department urged to confirm its overdue instructions; and a kept
month's statistics reported to the platform."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.services.deliveries import notify, platform
from workflows.services.supervision import monthly
from workflows.services.supervision.urging import department_users
from workflows.store.automation import OutboxEvent

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("instructions")
reports = Steps("reports")


@step
def tell_urged(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """The urged department's staff are told how many instructions wait for their confirmation, and why."""
    payload = event.payload or {}
    return StepResult(notify.notice(
        session, "instruction.urged", department_users(session, payload.get("department_id")),
        key={"event": event.id}, count=len(payload.get("instruction_ids", [])), by=payload.get("by", ""),
        message=payload.get("message", "")))


@reports
def push_monthly(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """The kept month's figures, unchanged, pushed to the platform (retried like results)."""
    month = (event.payload or {}).get("month", "")
    report = monthly.stored(session, month)
    if report is None:
        return StepResult()
    delivery = platform.record_monthly(session, event.id, month, report.figures, runtime().config)
    return StepResult(delivery_id=delivery.id if delivery else None)


PLAN: dict[str, list[str]] = {"urge": ["instructions.tell_urged"]}
REPORTS_PLAN: dict[str, list[str]] = {"monthly_report": ["reports.push_monthly"]}
