"""What is owed outside, queued for the worker's delivery lane: one outbox event per attempt round of one delivery
(`process` "deliveries", `kind` its target, no case: a delivery never waits on, nor holds up, a case's events).

A delivery is queued when it is recorded (in the step's own transaction), when its next attempt comes due (the
sweep, `workflows.services.deliveries.outbound.requeue_due`) and when a person asks for a redelivery."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow

PROCESS = "deliveries"
TARGETS = ("platform", "webhook", "sms")


@dataclass(frozen=True)
class Request:
    """What one attempt POSTs, read from the delivery before any connection is opened."""
    url: str
    content: bytes
    headers: dict[str, str]


def queue(session: Session, target: str, delivery_id: int, *, manual: bool = False) -> OutboxEvent:
    """An attempt of this delivery, for the worker's delivery lane, in the caller's transaction."""
    if target not in TARGETS:
        raise ValueError(f"no delivery target {target!r}")
    now = utcnow()
    event = OutboxEvent(process=PROCESS, kind=target, case_id=None, available_at=now, created_at=now,
                        payload={"delivery_id": delivery_id, "manual": manual})
    session.add(event)
    return event
