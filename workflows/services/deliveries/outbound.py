"""What is owed outside: platform results, department webhook messages and notices by SMS, delivered by the worker's delivery
lane, retried with growing delays for `deliveries.retry_days` days, never lost.

- An attempt round (`attempt_round`) is one outbox event of the lane (delivery_queue.py): up to three POSTs a
  moment apart while the endpoint answers with an error or refuses the connection; a time-out ends the round at
  once. No transaction is open while the endpoint answers (or does not): each POST is logged in a short one.
- A round that did not deliver sets `next_attempt_at` (a delay doubling with the attempts, at most
  MAX_DELAY) until the retry window has passed since the delivery was recorded; then the delivery is "failed".
  The sweep queues the rounds that came due (`requeue_due`) and tells the administrators once about a delivery
  still failing after ALERT_AFTER (`alert_failing`, notice kind `delivery.failing`).
- Administrators and supervisors see every delivery with its attempts (`listing`) and may queue a redelivery
  (`request_redelivery`); a department queues its own webhook's (webhooks.redeliver). A redelivery carries the
  same idempotency key: a receiver applies it once.
"""
from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from workflows import clock
from workflows.config import Config
from workflows.domain.errors import N_, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.admin import settings
from workflows.services.deliveries import delivery_queue, notify, platform, sms, webhooks
from workflows.store.automation import PlatformAttempt, PlatformDelivery
from workflows.store.base import utcnow
from workflows.store.hub import WebhookAttempt, WebhookDelivery
from workflows.store.sms import SmsAttempt, SmsDelivery

# connect and read time-outs: a silent endpoint costs the lane at most this much per round, and nobody else anything
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
QUICK_PAUSES = (0.5, 1.0)  # within a round, after an error answer or a refused connection (not a time-out)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
ALERT_AFTER = timedelta(days=1)
BATCH = 200
WATCHERS = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR})


@dataclass(frozen=True)
class Target:
    model: type
    attempt: type
    request_of: Callable  # (delivery, the configuration or None) -> Request


TARGETS = {
    "platform": Target(PlatformDelivery, PlatformAttempt, lambda delivery, config: platform.request_of(delivery)),
    "webhook": Target(WebhookDelivery, WebhookAttempt, lambda delivery, config: webhooks.request_of(delivery)),
    "sms": Target(SmsDelivery, SmsAttempt, sms.request_of),
}


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str = ""
    timed_out: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@cache
def tls() -> ssl.SSLContext:
    """The TLS settings of every POST, made once per process: making them loads the certificate store (about 20 ms
    of CPU, more than the rest of a POST to a near endpoint). An SSLContext serves many connections and threads."""
    return httpx.create_ssl_context()


def post(request: delivery_queue.Request) -> Outcome:
    """One POST; a failure is logged by its kind only, never the network's details (what answers where)."""
    try:
        response = httpx.post(request.url, content=request.content, headers=request.headers, timeout=TIMEOUT,
                              verify=tls())
    except httpx.TimeoutException:
        return Outcome(None, "the endpoint did not answer in time", timed_out=True)
    except httpx.HTTPError:
        return Outcome(None, "the endpoint could not be reached")
    return Outcome(response.status_code, "" if response.is_success else f"HTTP {response.status_code}")


def refused(target: str, request: delivery_queue.Request, allowed_hosts: str) -> Outcome | None:
    """A department's endpoint is checked again at each attempt: its name may point at an internal address since
    it was registered (webhooks.check_target); the platform's address is the operator's own setting."""
    if target != "webhook":
        return None
    try:
        webhooks.check_target(request.url, allowed_hosts)
    except InvalidInput as error:
        return Outcome(None, error.message)
    return None


def delay_after(attempts: int) -> timedelta:
    """How long after a failed round the next one comes: doubling with the attempts made, at most MAX_DELAY."""
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20))


def retry_window(session: Session) -> timedelta:
    return timedelta(days=settings.get(session, "deliveries.retry_days"))


# --- the lane: one round of attempts ------------------------------------------------------------------

def attempt_round(sessions: sessionmaker, target: str, delivery_id: int, *, manual: bool = False,
                  pause: Callable[[float], None] = time.sleep, allowed_hosts: str = "",
                  config: Config | None = None) -> bool:
    """POST the delivery until it is delivered, a time-out or the last quick retry; True if delivered. An SMS is
    signed with the configuration's key (without one it waits for a worker that has it)."""
    spec = TARGETS[target]
    for wait in (0.0, *QUICK_PAUSES):
        if wait:
            pause(wait)
        with sessions() as session:
            delivery = session.get(spec.model, delivery_id)
            if delivery is None or (delivery.status == "delivered" and not manual):
                return True
            request = spec.request_of(delivery, config) if config is not None or target != "sms" else None
        refusal = (Outcome(None, "the SMS gateway is not configured here") if request is None
                   else refused(target, request, allowed_hosts))
        outcome = refusal or post(request)  # no transaction is open meanwhile
        with sessions() as session:
            record(session, target, delivery_id, outcome, manual=manual)
            session.commit()
        if outcome.delivered or outcome.timed_out or refusal is not None:
            break
    if outcome.delivered:
        return True
    with sessions() as session:
        schedule(session, target, delivery_id)
        session.commit()
    return False


def record(session: Session, target: str, delivery_id: int, outcome: Outcome, *, manual: bool = False) -> None:
    spec = TARGETS[target]
    delivery = session.get(spec.model, delivery_id)
    now = utcnow()
    delivery.attempts += 1
    session.add(spec.attempt(delivery_id=delivery_id, at=now, status_code=outcome.status_code, error=outcome.error,
                             manual=manual))
    delivery.last_status_code = outcome.status_code
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.last_error, delivery.next_attempt_at = "delivered", now, "", None
    else:
        delivery.last_error = outcome.error


def schedule(session: Session, target: str, delivery_id: int) -> None:
    """After a failed round: the next one after a growing delay, or "failed" once the retry window has passed."""
    delivery = session.get(TARGETS[target].model, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return
    now, end = utcnow(), delivery.created_at + retry_window(session)
    if now >= end:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status, delivery.next_attempt_at = "pending", min(now + delay_after(delivery.attempts), end)


# --- the sweep: rounds that came due, deliveries still failing after a day --------------------------

def requeue_due(session: Session, now: datetime | None = None) -> int:
    """Queue a round for each delivery whose next attempt is due; a conditional UPDATE claims it, so two sweepers
    never queue one twice."""
    now = now or utcnow()
    queued = 0
    for target, spec in TARGETS.items():
        model = spec.model
        due = session.scalars(select(model.id).where(model.status == "pending", model.next_attempt_at <= now)
                              .order_by(model.next_attempt_at).limit(BATCH)).all()
        for delivery_id in due:
            won = session.execute(update(model).where(model.id == delivery_id, model.status == "pending",
                                                      model.next_attempt_at <= now)
                                  .values(next_attempt_at=None).execution_options(synchronize_session=False))
            if won.rowcount == 1:
                delivery_queue.queue(session, target, delivery_id)
                queued += 1
    return queued


def alert_failing(session: Session, now: datetime | None = None) -> int:
    """The administrators told once about each delivery not delivered ALERT_AFTER after it was recorded."""
    now = now or utcnow()
    admins = notify.users_with_role(session, Role.ADMINISTRATOR)
    window = retry_window(session)
    told = 0
    for target, spec in TARGETS.items():
        model = spec.model
        failing = session.scalars(select(model).where(model.status.in_(("pending", "failed")),
                                                      model.created_at <= now - ALERT_AFTER,
                                                      model.alerted_at.is_(None)).limit(BATCH)).all()
        for delivery in failing:
            won = session.execute(update(model).where(model.id == delivery.id, model.alerted_at.is_(None))
                                  .values(alerted_at=now).execution_options(synchronize_session=False))
            if won.rowcount != 1:
                continue
            notify.notice(session, "delivery.failing", admins, target=target, id=delivery.id,
                          destination=destination_of(target, delivery), since=_local(delivery.created_at),
                          attempts=delivery.attempts, error=delivery.last_error or "-",
                          until=_local(delivery.created_at + window))
            told += 1
    return told


def _local(instant: datetime) -> str:
    return instant.astimezone(clock.ZONE).strftime("%Y-%m-%d %H:%M")


def destination_of(target: str, delivery) -> str:
    if target == "platform":
        return delivery.url
    if target == "sms":
        return sms.masked(delivery.phone)
    return f"{delivery.endpoint.department.code} {delivery.endpoint.url}"


# --- what administrators and supervisors see and do ---------------------------------------------------

@dataclass(frozen=True)
class DeliveryView:
    target: str
    id: int
    destination: str
    department: str | None
    event_id: int | None
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    alerted_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    log: list


def _view(target: str, delivery) -> DeliveryView:
    return DeliveryView(target, delivery.id, destination_of(target, delivery),
                        delivery.endpoint.department.code if target == "webhook" else None,
                        getattr(delivery, "event_id", None),
                        delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error,
                        delivery.next_attempt_at, delivery.alerted_at, delivery.delivered_at, delivery.created_at,
                        list(delivery.log))


def _watcher(actor: Actor) -> None:
    if not WATCHERS & set(actor.roles):
        raise RoleNotAllowed(N_("only administrators and supervisors see all deliveries"), field="role")


def listing(session: Session, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[DeliveryView]:
    """Platform, webhook and SMS deliveries, newest first (those not delivered only, with status "owed")."""
    _watcher(actor)
    views = []
    for target, spec in TARGETS.items():
        model = spec.model
        query = select(model).order_by(model.id.desc()).limit(limit)
        if status == "owed":
            query = query.where(model.status != "delivered")
        elif status:
            query = query.where(model.status == status)
        views += [_view(target, d) for d in session.scalars(query)]
    return sorted(views, key=lambda v: v.created_at, reverse=True)[:limit]


def get(session: Session, actor: Actor, target: str, delivery_id: int) -> DeliveryView:
    _watcher(actor)
    spec = TARGETS.get(target)
    delivery = session.get(spec.model, delivery_id) if spec else None
    if delivery is None:
        raise NotFound(N_("no delivery #%(id)s"), field="delivery", id=delivery_id)
    return _view(target, delivery)


def request_redelivery(session: Session, actor: Actor, target: str, delivery_id: int) -> DeliveryView:
    """Queue a manual round for the worker (this request never waits on the endpoint); a delivery that had given
    up is owed again."""
    get(session, actor, target, delivery_id)
    model = TARGETS[target].model
    session.execute(update(model).where(model.id == delivery_id, model.status != "delivered")
                    .values(status="pending", next_attempt_at=None).execution_options(synchronize_session="fetch"))
    delivery_queue.queue(session, target, delivery_id, manual=True)
    return get(session, actor, target, delivery_id)
