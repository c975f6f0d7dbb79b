"""The green-channel flow (容缺受理): what happens after each conditional-acceptance event.

Every event first brings the material deadlines in line (idempotent; the pages already did it for their
own actions). A missed materials deadline is this process's breach: the flow applies the system action
`commitment_breached`, whose consequences write the broken commitment, queue the red-list entries for
removal and tell the applicant and the supervisors. Other deadlines escalate as in every process.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.domain.roles import Role
from workflows.services.casework.cases import follow_up, take_action
from workflows.services.deliveries.notify import bilingual, notice, users_with_role
from workflows.services.lists.consequences import once, subject_name, tell_applicant, tell_role
from workflows.services.processes import green_materials, green_records, material_deadlines
from workflows.services.processes.conditional_acceptance import SYSTEM, application_of, materials_state
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case, Timer
from workflows.store.models import ListEntry

from . import timers as timer_events
from .base import StepResult, Steps

step = Steps("conditional_acceptance")

def _matter(session: Session, case: Case) -> dict[str, str]:
    application = application_of(session, case)
    return bilingual(application.matter_name, application.matter_name_en) if application else bilingual("", "")


def _items(items) -> list[dict]:
    """Materials and their deadlines, one line each in a notice."""
    return [{"material": i.line.name, "due": i.due_on.isoformat()} for i in items if i.due_on]


@step
def keep_deadlines(session: Session, event: OutboxEvent, case: Case) -> None:
    """The material and processing deadlines follow the materials' state; all verified moves the case on."""
    follow_up(session, case, utcnow())


@step
def acknowledge(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the application and its commitment were received."""
    return StepResult(tell_applicant(session, event, case, "green.received", matter=_matter(session, case)))


@step
def tell_window(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The licensing department's window is told what waits on it."""
    task = event.kind if event.kind in ("file", "submit_materials") else "other"
    return StepResult(tell_role(session, event, case, Role.IMPLEMENTING_DEPARTMENT, "green.to_handle",
                                case.department_id, task=task, matter=_matter(session, case)))


@step
def issue_notice(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant receives the notice of conditional acceptance: each missing item and its deadline."""
    return StepResult(tell_applicant(session, event, case, "green.notice", matter=_matter(session, case),
                                     items=_items(materials_state(session, case).missing())))


@step
def tell_materials(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told an item was verified, or rejected and why (its deadline runs on)."""
    params = event.params
    item = materials_state(session, case).item(int(params.get("item") or 0))
    name = item.line.name if item else ""
    if params.get("result") == "rejected":
        due = item.due_on.isoformat() if item and item.due_on else ""
        return StepResult(tell_applicant(session, event, case, "green.material_rejected", material=name, due=due,
                                         reason=params.get("reason", "")))
    return StepResult(tell_applicant(session, event, case, "green.material_verified", material=name))


@step
def tell_extension(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the new deadlines after the one extension."""
    return StepResult(tell_applicant(session, event, case, "green.extended", reason=event.params.get("reason", ""),
                                     items=_items(materials_state(session, case).outstanding())))


@step
def tell_complete(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Everyone concerned is told that every material is in and verified: the decision comes next."""
    ids = tell_applicant(session, event, case, "green.complete")
    ids += tell_role(session, event, case, Role.IMPLEMENTING_DEPARTMENT, "green.to_decide", case.department_id)
    return StepResult(ids)


@step
def publish_grant(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The granted licence is published on the public list, which completes the publication deadline."""
    if case.state == "granted":
        green_records.publish_grant(session, case, str(event.params.get("licence_no", "")), event.created_at)
        take_action(session, case.id, "publish", SYSTEM)
    return StepResult(tell_applicant(session, event, case, "green.granted", matter=_matter(session, case),
                                     licence=str(event.params.get("licence_no", ""))))


@step
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the result."""
    reason = event.params.get("reason") or event.params.get("items") or ""
    return StepResult(tell_applicant(session, event, case, "green.result", result=event.kind, reason=reason))



@step
def record_breach(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """A broken-commitment record goes into the subject's credit file; its red-list entries go to removal."""
    if not once(session, event.id, "record_breach"):
        return StepResult()
    green_records.record_broken_commitment(session, case)
    ids = []
    for row in green_records.queue_redlist_removal(session, case, SYSTEM):
        entry = session.get(ListEntry, row.list_entry_id)
        ids += notice(session, "green.redlist_pending",
                      users_with_role(session, Role.LISTING_DEPARTMENT, entry.department_id),
                      key={"event": event.id}, case_id=case.id, case=case.id, entry=entry.id,
                      name=subject_name(entry))
    return StepResult(ids)


@step
def tell_breach(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant and the supervisors are told the commitment was broken."""
    params = dict(matter=_matter(session, case), deadline=event.params.get("deadline", ""),
                  items=event.params.get("items", ""))
    ids = tell_applicant(session, event, case, "green.breach", **params)
    ids += tell_role(session, event, case, Role.SUPERVISOR, "green.breach", **params)
    ids += tell_role(session, event, case, Role.IMPLEMENTING_DEPARTMENT, "green.breach", case.department_id, **params)
    return StepResult(ids)


def _timer(session: Session, event: OutboxEvent) -> Timer | None:
    return session.get(Timer, event.payload.get("timer_id"))


@step
def warn(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is warned before a materials deadline; other deadlines warn their owner."""
    timer = _timer(session, event)
    if timer is None or timer.kind != material_deadlines.MATERIALS:
        return timer_events.warn(session, event, case)
    return StepResult(tell_applicant(session, event, case, "green.materials_due", due=event.payload.get("due_on", "")))


@step
def breach(session: Session, event: OutboxEvent, case: Case) -> StepResult | None:
    """A missed materials deadline ends the case as commitment_breached; other deadlines escalate to supervisors."""
    timer = _timer(session, event)
    if timer is None or timer.kind != material_deadlines.MATERIALS:
        return timer_events.breach(session, event, case)
    green_materials.breach(session, case, timer, utcnow())
    return None


@step
def escalate(session: Session, event: OutboxEvent, case: Case) -> StepResult | None:
    """Still overdue after the set number of working days: the head of supervision is told."""
    timer = _timer(session, event)
    if timer is not None and timer.kind == material_deadlines.MATERIALS:
        return None  # a missed materials deadline already ended the case
    return timer_events.escalate(session, event, case)
