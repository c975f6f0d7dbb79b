"""Pushing concluded results to the municipal public credit information platform: the delivery rows and what
each attempt POSTs; the attempts themselves, their retries for days and their log are the delivery lane's
(workflows/services/deliveries/outbound.py)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.config import Config
from workflows.services.deliveries import delivery_queue
from workflows.services.deliveries.delivery_queue import Request
from workflows.store.automation import PlatformDelivery
from workflows.store.cases import Case
from workflows.store.models import ListEntry


def result_payload(case: Case, event_id: int, result: str) -> dict:
    entry = case.list_entry
    return {
        "event_id": event_id,
        "case_id": case.id,
        "process": case.process,
        "result": result,
        "state": case.state,
        "subject_code": case.subject.code if case.subject else None,
        "list_entry_id": case.list_entry_id,
        "decided_at": case.updated_at.isoformat(),
        # what the decision left the entry as: an exit (and why) is reported with the result
        **({"entry": {"list": entry.list_kind, "status": entry.status, "exit_reason": entry.exit_reason}}
           if entry is not None else {}),
    }


def entry_json(entry: ListEntry) -> dict:
    """A listing as the platform's shared list database keeps it; the key-attention list is shared, not public."""
    return {"list_entry_id": entry.id, "list": entry.list_kind, "public": entry.kind.is_public,
            "status": entry.status, "subject_code": entry.subject.code if entry.subject else None,
            "subject_name": entry.subject.name if entry.subject else None, "department": entry.department.code,
            "basis": entry.basis, "document_no": entry.document_no, "category": entry.category,
            "listed_on": entry.listed_on.isoformat(), "valid_until": entry.valid_until.isoformat(),
            "measures": [m.catalogue.code for m in entry.measures]}


def record_listings(session: Session, event_id: int, entries: list[ListEntry], config: Config) -> PlatformDelivery | None:
    """New listings reported to the platform (Q IV(2)), one delivery for the event's entries."""
    if not config.platform_url or not entries:
        return None
    return add_delivery(session, event_id, None, config.platform_url, {
        "event_id": event_id, "type": "listings", "process": "listing", "result": "listed",
        "entries": [entry_json(e) for e in entries]})


def record_monthly(session: Session, event_id: int, month: str, figures: dict, config: Config) -> PlatformDelivery | None:
    """A month's kept statistics reported to the platform (Z V(1), Q IV(3))."""
    if not config.platform_url:
        return None
    return add_delivery(session, event_id, None, config.platform_url, {
        "event_id": event_id, "type": "monthly_statistics", "process": "supervision", "result": "monthly_report",
        "month": month, "figures": figures})


def record_delivery(session: Session, case: Case, event_id: int, result: str, config: Config) -> PlatformDelivery | None:
    """The delivery row for this event (one per event); None when no platform URL is configured."""
    if not config.platform_url:
        return None
    return add_delivery(session, event_id, case.id, config.platform_url, result_payload(case, event_id, result))


def add_delivery(session: Session, event_id: int, case_id: int | None, url: str, payload: dict) -> PlatformDelivery:
    """One delivery per event, queued for the worker's delivery lane in the step's transaction (a repeated step
    finds it and queues nothing twice)."""
    existing = session.scalar(select(PlatformDelivery).where(PlatformDelivery.event_id == event_id))
    if existing is not None:
        return existing
    delivery = PlatformDelivery(event_id=event_id, case_id=case_id, url=url, payload=payload)
    session.add(delivery)
    session.flush()
    delivery_queue.queue(session, "platform", delivery.id)
    return delivery


def request_of(delivery: PlatformDelivery) -> Request:
    """The POST of an attempt: the result as JSON, the same idempotency key on every attempt."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Request(delivery.url, body, {"Content-Type": "application/json",
                                        "Idempotency-Key": f"credit-cases-event-{delivery.event_id}"})
