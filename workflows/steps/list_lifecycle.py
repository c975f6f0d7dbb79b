"""The lists' own events (no case): an entry's validity ends; a key-attention subject is blacklisted; a
blacklist entry exits because the criteria changed."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.lists import EntryStatus
from workflows.services.deliveries import notify
from workflows.services.lists import list_lifecycle
from workflows.services.lists.consequences import once, tell_measures
from workflows.services.processes.objection import open_case_on_entry
from workflows.store.automation import OutboxEvent, PlatformDelivery
from workflows.store.models import ListEntry

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("lists")


def _delivery_id(session: Session, event: OutboxEvent) -> int | None:
    return session.scalar(select(PlatformDelivery.id).where(PlatformDelivery.event_id == event.id))


def under_verification(session: Session, entry: ListEntry) -> bool:
    """The entry is suspended by an accepted objection, or its removal is contested (an objection verifying it)."""
    if entry.status == EntryStatus.SUSPENDED.value:
        return True
    objection = open_case_on_entry(session, "objection", entry.id)
    return objection is not None and objection.state == "verifying"


@step
def expire(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """At the end of `valid_until`, an open entry exits by expiry with its list's consequences."""
    entry = session.get(ListEntry, event.payload.get("list_entry_id"))
    handler = list_lifecycle.ON_EXPIRY.get(entry.list_kind) if entry is not None else None
    if handler is None or not entry.is_open or calendar.local_date(event.created_at) <= entry.valid_until:
        return StepResult()  # exited meanwhile, or its validity was extended: a later timer will fire
    if under_verification(session, entry):
        # nothing derived from a disputed record takes effect while it is verified (Q V(6)): the decision
        # resumes the entry and then expires it if still due (list_lifecycle.expire_if_due)
        return StepResult()
    if not once(session, event.id, "expire"):
        return StepResult(list_lifecycle.notices_of(session, event), _delivery_id(session, event))
    notices = handler(session, event, entry, runtime().config)
    return StepResult(notices, _delivery_id(session, event))


@step
def blacklisted(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """The new blacklist entry's measures applied and their departments told; the subject told; the platform."""
    entry = session.get(ListEntry, event.payload.get("list_entry_id"))
    if entry is None:
        return StepResult()
    if once(session, event.id, "blacklisted"):
        tell_measures(session, event, entry, list(entry.measures), "measure.apply")
        notify.notice(session, "blacklisted", list_lifecycle.subject_users(session, entry.subject_id),
                      key={"event": event.id}, basis=entry.basis, until=entry.valid_until)
        list_lifecycle.record_delivery(session, event, entry, "blacklisted", runtime().config)
    return StepResult(list_lifecycle.notices_of(session, event), _delivery_id(session, event))


@step
def criteria_changed(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """A blacklist entry exited because the criteria changed, in the department's own transaction (measures
    stopped, announced, onto the key-attention list): its notices e-mailed and the exit pushed to the platform."""
    entry = session.get(ListEntry, event.payload.get("list_entry_id"))
    if entry is not None and once(session, event.id, "report_exit"):
        list_lifecycle.record_delivery(session, event, entry, "criteria_changed", runtime().config)
    return StepResult(list_lifecycle.notices_of(session, event), _delivery_id(session, event))


PLAN: dict[str, list[str]] = {"expire": ["lists.expire"], "blacklisted": ["lists.blacklisted"],
                              "criteria_changed": ["lists.criteria_changed"]}


