"""Pushing concluded results to the municipal public credit information platform."""
from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.config import Config
from workflows.store.automation import PlatformDelivery
from workflows.store.base import utcnow
from workflows.store.cases import Case


def result_payload(case: Case, event_id: int, result: str) -> dict:
    return {
        "event_id": event_id,
        "case_id": case.id,
        "process": case.process,
        "result": result,
        "state": case.state,
        "subject_code": case.subject.code if case.subject else None,
        "list_entry_id": case.list_entry_id,
        "decided_at": case.updated_at.isoformat(),
    }


def record_delivery(session: Session, case: Case, event_id: int, result: str, config: Config) -> PlatformDelivery | None:
    """The delivery row for this event (one per event); None when no platform URL is configured."""
    if not config.platform_url:
        return None
    existing = session.scalar(select(PlatformDelivery).where(PlatformDelivery.event_id == event_id))
    if existing is not None:
        return existing
    delivery = PlatformDelivery(event_id=event_id, case_id=case.id, url=config.platform_url,
                                payload=result_payload(case, event_id, result))
    session.add(delivery)
    session.flush()
    return delivery


class DeliveryFailed(Exception):
    pass


def attempt(session: Session, delivery_id: int) -> bool:
    """One POST; records the attempt. Raises DeliveryFailed so the caller's retry policy can act."""
    delivery = session.get(PlatformDelivery, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return False
    delivery.attempts += 1
    try:
        response = httpx.post(delivery.url, json=delivery.payload, timeout=10,
                              headers={"Idempotency-Key": f"credit-cases-event-{delivery.event_id}"})
        response.raise_for_status()
    except httpx.HTTPError as error:
        delivery.last_error = f"{type(error).__name__}: {error}"[:1000]
        delivery.status = "pending"
        session.commit()
        raise DeliveryFailed(delivery.last_error) from None
    delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), ""
    session.commit()
    return True
