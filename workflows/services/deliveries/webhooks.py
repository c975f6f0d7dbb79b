"""Department webhooks: every measure change for a department, POSTed as signed JSON to its endpoint.

A message carries three headers: `Idempotency-Key` (the same on every attempt of one delivery),
`X-Credit-Cases-Timestamp` (Unix seconds of this attempt) and `X-Credit-Cases-Signature`:
`sha256=` + hex HMAC-SHA256, keyed with the department's secret, over `<timestamp>.<body bytes>`.
A receiver recomputes it, refuses a timestamp older than five minutes (a replay), and applies each
idempotency key once. The attempts are the worker's delivery lane's (outbound.py): retried with growing
delays for days, each logged.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.deliveries import delivery_queue
from workflows.services.deliveries.delivery_queue import Request
from workflows.store.automation import OutboxEvent
from workflows.store.base import insert_for, utcnow
from workflows.store.hub import WebhookDelivery, WebhookEndpoint
from workflows.store.instructions import Instruction
from workflows.store.models import ListEntry, Measure

SIGNATURE_HEADER = "X-Credit-Cases-Signature"
TIMESTAMP_HEADER = "X-Credit-Cases-Timestamp"
TOLERANCE_SECONDS = 300
CHANGES_PER_MESSAGE = 200


@dataclass(frozen=True)
class MeasureChange:
    measure: Measure
    entry: ListEntry
    verb: str  # apply, suspend, resume, stop
    before: str | None
    after: str
    instruction: Instruction | None = None  # what the department confirms once it has carried the change out


# --- endpoints ---

MAX_ENDPOINTS_PER_DEPARTMENT = 5  # active ones
NOT_ALLOWED = N_("the endpoint's address is not allowed: loopback, link-local and private addresses are refused")


def check_url(url: str, *, allow_http: bool, allowed_hosts: str = "") -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("the endpoint must be an absolute URL such as https://example.gov.cn/hooks", field="url")
    if parts.scheme != "https" and not allow_http:
        raise InvalidInput("the endpoint must use HTTPS", field="url")
    if len(url) > 500:
        raise InvalidInput("the URL is longer than 500 characters", field="url")
    check_target(url, allowed_hosts)
    return url


def _allowed(parts, allowed_hosts: str) -> bool:
    allowed = {h.strip().lower() for h in (allowed_hosts or "").split(",") if h.strip()}
    host = (parts.hostname or "").lower()
    return host in allowed or f"{host}:{parts.port}" in allowed


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_target(url: str, allowed_hosts: str = "") -> None:
    """Refuse an endpoint on a loopback, link-local, private or otherwise not public address (the product would
    call into its own network), unless the administrator allows its host (CREDIT_CASES_WEBHOOK_ALLOWED_HOSTS).
    A name is resolved: every address it has must be public; a name that does not resolve now is checked again
    at each delivery. The refusal is the same whatever answers at the address."""
    parts = urlsplit(url)
    if _allowed(parts, allowed_hosts):
        return
    host = parts.hostname or ""
    try:
        addresses = [host] if _is_address(host) else [info[4][0] for info in socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        return
    if any(_internal(address) for address in addresses):
        raise InvalidInput(NOT_ALLOWED, field="url")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def _department_of(actor: Actor) -> int:
    if Role.IMPLEMENTING_DEPARTMENT not in actor.roles or actor.department_id is None:
        raise RoleNotAllowed("only an implementing department manages its webhook endpoints", field="role")
    return actor.department_id


def register_endpoint(session: Session, actor: Actor, url: str, *, allow_http: bool = False,
                      allowed_hosts: str = "") -> WebhookEndpoint:
    """A new endpoint for the actor's department with a fresh secret (shown to the department once); at most
    MAX_ENDPOINTS_PER_DEPARTMENT active ones."""
    department_id = _department_of(actor)
    url = check_url(url, allow_http=allow_http, allowed_hosts=allowed_hosts)
    active = session.scalar(select(func.count()).select_from(WebhookEndpoint).where(
        WebhookEndpoint.department_id == department_id, WebhookEndpoint.active.is_(True))) or 0
    if active >= MAX_ENDPOINTS_PER_DEPARTMENT:
        raise Conflict(N_("a department has at most %(count)s active endpoints: deactivate one first"), field="url",
                       count=MAX_ENDPOINTS_PER_DEPARTMENT)
    endpoint = WebhookEndpoint(department_id=department_id, url=url,
                               secret=secrets.token_hex(32), active=True, created_by_id=actor.user_id,
                               created_at=utcnow())
    session.add(endpoint)
    session.flush()
    return endpoint


def endpoints_of(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.department_id == _department_of(actor))
                                .order_by(WebhookEndpoint.id)))


def endpoint_for(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.department_id != _department_of(actor):
        raise NotFound(N_("no webhook endpoint #%(id)s"), field="endpoint", id=endpoint_id)
    return endpoint


def deactivate(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoint_for(session, actor, endpoint_id)
    endpoint.active = False
    return endpoint


def deliveries_of(session: Session, actor: Actor, *, limit: int = 100) -> list[WebhookDelivery]:
    department = _department_of(actor)
    return list(session.scalars(
        select(WebhookDelivery).join(WebhookEndpoint).where(WebhookEndpoint.department_id == department)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


def delivery_for(session: Session, actor: Actor, delivery_id: int) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint.department_id != _department_of(actor):
        raise NotFound(N_("no webhook delivery #%(id)s"), field="delivery", id=delivery_id)
    return delivery


# --- messages ---

def record_changes(session: Session, event: OutboxEvent, changes: list[MeasureChange]) -> list[int]:
    """The deliveries for these changes: per active endpoint of each department, one message per
    CHANGES_PER_MESSAGE changes, keyed by event, endpoint and part so a retried step adds none twice."""
    by_department: dict[int, list[MeasureChange]] = {}
    for change in changes:
        by_department.setdefault(change.measure.department_id, []).append(change)
    if not by_department:
        return []
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.department_id.in_(by_department),
                                                              WebhookEndpoint.active.is_(True)))
    insert = insert_for(session.get_bind().dialect.name)
    created = []
    for endpoint in endpoints:
        items = [_change_json(c) for c in by_department[endpoint.department_id]]
        for part, start in enumerate(range(0, len(items), CHANGES_PER_MESSAGE), start=1):
            key = f"credit-cases-e{event.id}-w{endpoint.id}-p{part}"
            payload = {"id": key, "type": "measures.changed", "event_id": event.id, "case_id": event.case_id,
                       "department": endpoint.department.code, "sent_for": event.kind,
                       "changes": items[start:start + CHANGES_PER_MESSAGE]}
            statement = insert(WebhookDelivery).values(
                endpoint_id=endpoint.id, event_id=event.id, idempotency_key=key, payload=payload, status="pending",
                attempts=0, last_error="", created_at=utcnow(),
            ).on_conflict_do_nothing(index_elements=["endpoint_id", "idempotency_key"]).returning(WebhookDelivery.id)
            new_id = session.execute(statement).scalar()
            if new_id is not None:
                created.append(new_id)
                delivery_queue.queue(session, "webhook", new_id)
    return created


def _change_json(change: MeasureChange) -> dict:
    entry, measure = change.entry, change.measure
    return {
        "measure_id": measure.id, "measure": measure.catalogue.code, "measure_name": measure.catalogue.name,
        "action": change.verb, "from": change.before, "to": change.after,
        "list_entry_id": entry.id, "list": entry.list_kind, "entry_status": entry.status,
        "subject_code": entry.subject.code if entry.subject else None,
        "subject_name": entry.subject.name if entry.subject else None,
        "valid_until": entry.valid_until.isoformat(),
        **(instruction_json(change.instruction) if change.instruction is not None else {}),
    }


def instruction_json(instruction: Instruction) -> dict:
    """The instruction a change carries: its number, the day its confirmation is due, where to confirm it (a path
    under the product's address: POST with a bearer token, or the department's instructions page)."""
    return {"instruction_id": instruction.id, "instruction": instruction.kind,
            "confirm_by": instruction.due_on.isoformat() if instruction.due_on else None,
            "confirm_url": f"/api/v1/instructions/{instruction.id}/confirm",
            "confirm_page": f"/instructions/{instruction.id}"}


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, headers: dict, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver checks: a fresh timestamp and a matching signature (for integrators' reference)."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), headers.get(SIGNATURE_HEADER, ""))


def request_of(delivery: WebhookDelivery) -> Request:
    """The signed POST of an attempt: a fresh timestamp and signature, the same idempotency key every time."""
    body, timestamp = body_of(delivery), str(int(time.time()))
    return Request(delivery.endpoint.url, body, {
        "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": delivery.idempotency_key,
        TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(delivery.endpoint.secret, timestamp, body),
        "User-Agent": "credit-cases-webhooks/1"})


def redeliver(session: Session, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """A department's manual redelivery, with the same idempotency key: queued for the worker (the request that
    asks never waits on the endpoint); its attempt is logged as manual."""
    delivery = delivery_for(session, actor, delivery_id)
    delivery_queue.queue(session, "webhook", delivery.id, manual=True)
    return delivery
