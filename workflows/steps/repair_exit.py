"""The credit repair flow (信用修复): what happens after each repair event."""
from __future__ import annotations

from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.lists import EntryStatus, ExitReason
from workflows.domain.roles import Role
from workflows.processes.repair_exit import key_attention_until
from workflows.services.lists.consequences import once, tell_applicant, tell_role
from workflows.services.lists.list_lifecycle import exit_blacklist
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case

from .base import StepResult, Steps

step = Steps("repair_exit")

@step
def acknowledge(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the signed application was received."""
    return StepResult(tell_applicant(session, event, case, "repair.received"))


@step
def tell_office(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The accepting office is told an application waits for formal review."""
    return StepResult(tell_role(session, event, case, Role.ACCEPTING_OFFICE, "repair.to_review"))


@step
def accepted(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told; the listing department is told to decide within its limit."""
    ids = tell_applicant(session, event, case, "repair.accepted")
    ids += tell_role(session, event, case, Role.LISTING_DEPARTMENT, "repair.to_decide", case.department_id)
    return StepResult(ids)


@step
def request_supplement(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told what to supplement (the acceptance clock is paused meanwhile)."""
    return StepResult(tell_applicant(session, event, case, "repair.supplement", reason=event.params.get("reason", "")))


@step
def exit_listing(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Approved: the entry exits (repaired), its measures stop, the exit is announced, key-attention follows."""
    entry = case.list_entry
    if entry is None or entry.status != EntryStatus.ACTIVE:  # a suspended entry: refused when approved
        return StepResult()
    if not once(session, event.id, "exit_listing"):
        return StepResult()
    until = key_attention_until(event.params, calendar.local_date(event.created_at))
    return StepResult(exit_blacklist(session, event, entry, ExitReason.REPAIRED, until, event.created_at,
                                     case_no=case.id))


@step
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the result, with the reasons of a denial or the key-attention validity."""
    params = event.params
    reason = params.get("reason") or ""
    if event.kind == "approve":
        until = key_attention_until(params, calendar.local_date(event.created_at))
        return StepResult(tell_applicant(session, event, case, "repair.approved", result=event.kind, until=until,
                                         reason=reason))
    return StepResult(tell_applicant(session, event, case, "repair.result", result=event.kind, reason=reason))


