"""The lists' own events (no case): an entry's validity ends; a key-attention subject is blacklisted."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.services import list_lifecycle, notify
from workflows.services.consequences import once
from workflows.store.automation import OutboxEvent, PlatformDelivery
from workflows.store.models import ListEntry

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("lists")


def _delivery_id(session: Session, event: OutboxEvent) -> int | None:
    return session.scalar(select(PlatformDelivery.id).where(PlatformDelivery.event_id == event.id))


@step
def expire(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """At the end of `valid_until`, an open entry exits by expiry with its list's consequences."""
    entry = session.get(ListEntry, event.payload.get("list_entry_id"))
    handler = list_lifecycle.EXPIRY_HANDLERS.get(entry.list_kind) if entry is not None else None
    if handler is None or not entry.is_open or calendar.local_date(event.created_at) <= entry.valid_until:
        return StepResult()  # exited meanwhile, or its validity was extended: a later timer will fire
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
        list_lifecycle.tell_measures(session, event, entry, "apply")
        notify.notify(session, list_lifecycle.subject_users(session, entry.subject_id), kind="blacklisted",
                      key=f"e{event.id}:blacklisted", subject="列入失信联合惩戒对象名单告知",
                      body=(f"因重点关注名单有效期内发生严重失信行为（{entry.basis}），现列入黑名单，有效期至 "
                            f"{entry.valid_until.isoformat()}。\nYou have been put on the blacklist until "
                            f"{entry.valid_until.isoformat()} for a severe violation during the key-attention period."))
        list_lifecycle.record_delivery(session, event, entry, "blacklisted", runtime().config)
    return StepResult(list_lifecycle.notices_of(session, event), _delivery_id(session, event))


PLAN: dict[str, list[str]] = {"expire": ["lists.expire"], "blacklisted": ["lists.blacklisted"]}


