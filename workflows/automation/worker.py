"""The automation worker: claims outbox events and runs each process's Prefect flow for them.

Claiming is safe from several workers at once (FOR UPDATE SKIP LOCKED on PostgreSQL, a
conditional UPDATE everywhere). An event stays claimed for a lease; a worker killed mid-batch
leaves its events to be claimed again after the lease, and because every step is idempotent per
event, running an event twice changes nothing twice. If the Prefect server is down, the claimed
events are released untouched and tried again later: nothing is lost.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from workflows.automation import prefect_clients
from workflows.config import Config
from workflows.operations import heap, logs, metrics, probe
from workflows.services.admin import calendar as calendar_service
from workflows.services.deliveries import delivery_queue, outbound
from workflows.steps import carry
from workflows.steps import plans as flow_plans
from workflows.steps import runtime as flow_runtime
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow

log = logging.getLogger("credit_cases.worker")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 10
DELIVERY_THREADS = 8  # delivery rounds attempted side by side


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session, name: str, limit: int = 50, *, lane: str = "events") -> list[OutboxEvent]:
    """Claim up to `limit` events that are due and not claimed (or whose lease ran out): the processes' events
    (`lane` "events") or the delivery rounds (`lane` "deliveries", delivery_queue.PROCESS).

    A case's events are carried out in order: an event waits while an earlier one of its case is
    unfinished (released after a failure, or held by a worker), or its consequences could be undone
    by the earlier one's (an acceptance's suspension after the decision's resumption).

    One statement claims them all: an UPDATE of the events a subquery picks (on PostgreSQL locking them and
    passing over those another worker is claiming, FOR UPDATE SKIP LOCKED), its WHERE checking each again, and
    the events claimed returned (an UPDATE per event had cost about a millisecond of CPU each to build).
    """
    now = utcnow()
    claimable = or_(OutboxEvent.status == "pending",
                    (OutboxEvent.status == "processing") & (OutboxEvent.claimed_at < now - LEASE))
    candidate, earlier = aliased(OutboxEvent), aliased(OutboxEvent)
    unfinished_earlier = (
        select(earlier.id)
        .where(earlier.case_id == candidate.case_id, earlier.id < candidate.id,
               earlier.status.in_(("pending", "processing")))
        .exists()
    )
    picked = (
        select(candidate.id)
        .where(
            candidate.available_at <= now,
            or_(candidate.status == "pending",
                (candidate.status == "processing") & (candidate.claimed_at < now - LEASE)),
            ~unfinished_earlier,
            (candidate.process == delivery_queue.PROCESS) if lane == "deliveries"
            else (candidate.process != delivery_queue.PROCESS),
        )
        .order_by(candidate.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    # evaluated once (MATERIALIZED): as a plain subquery PostgreSQL may run it again during the UPDATE, and each
    # run's LIMIT then picks other rows (seen: 30 events claimed with a limit of 25)
    picked = picked.cte("picked").prefix_with("MATERIALIZED")
    claimed = session.scalars(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(select(picked.c.id)), claimable)
        .values(status="processing", claimed_by=name, claimed_at=now, attempts=OutboxEvent.attempts + 1)
        .returning(OutboxEvent)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return sorted(claimed, key=lambda event: event.id)


def flows_by_process() -> dict:
    """The flows, loaded (with Prefect) when the worker first runs a batch under Prefect, not when this module is
    imported (the in-process runner needs only their plans)."""
    from workflows.flows.registry import FLOWS

    return FLOWS


def run_coroutine(coroutine):
    """asyncio.run, also from a thread whose event loop is already running (a host application's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    context = contextvars.copy_context()  # settings in force here (e.g. the Prefect API) apply there too
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coroutine).result()


def run_in_prefect(coroutine):
    """A flow run's coroutine, with the Prefect clients this thread keeps from batch to batch (prefect_clients);
    from a thread whose event loop is already running (a host application's), with clients of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return prefect_clients.run(coroutine)
    from prefect.context import SyncClientContext

    # one Prefect client for the batch's task runs: without it each sync task run makes its own, loading the TLS
    # certificate store every time (measured: 40% of a batch's time)
    with SyncClientContext.get_or_create():
        return run_coroutine(coroutine)


def process_batch(config: Config, events: list[OutboxEvent], *, in_process: bool = False) -> int:
    """Carry out claimed events, one named flow run per process (ADR 0013): each event done is settled by the
    flow run itself; one that fails is released alone for a later try, neither failing nor delaying the
    others of its batch. If the flow run cannot start (Prefect down), the batch is released untouched.

    `in_process`: the same fast and slow paths called here, without Prefect (the tests of what the steps do;
    the worker always runs the Prefect flows)."""
    rt = flow_runtime.configure(config)
    plans = flow_plans()
    by_process: dict[str, list[OutboxEvent]] = {}
    for event in events:
        by_process.setdefault(event.process, []).append(event)
    done = 0
    for process, batch in by_process.items():
        plan = plans.get(process)
        triples = [(e.id, e.kind, e.case_id) for e in batch]
        try:
            if plan is None:
                failed = None  # nothing to carry out: settled here
            elif in_process:
                failed = carry.failures(carry.in_process(plan, triples))
            else:
                failed = _run_flow(process, triples)
        except Exception as error:  # noqa: BLE001 - the flow could not run (Prefect down): release for a later try
            # the error's text (which may quote an address or a row) stays in the outbox row, not in the log
            log.warning("flow %s failed: events released for a later attempt", process,
                        extra={"flow": process, "events": [e.id for e in batch], "error": logs.error_class(error)})
            _finish(rt, batch, "retry", str(error))
            continue
        if failed is None:
            _finish(rt, batch, "done")
            done += len(batch)
            continue
        for event_id in failed:
            # its error's text stays in the outbox row, not in the log
            log.warning("event of flow %s failed: released alone for a later attempt", process,
                        extra={"flow": process, "event": event_id})
        _settled(batch, failed)
        for event in batch:
            if event.id in failed:
                _finish(rt, [event], "retry", failed[event.id])
        done += len(batch) - len(failed)
    return done


def _run_flow(process: str, triples: list[tuple[int, str, int | None]]) -> dict[int, str]:
    """The batch's named flow run under Prefect; {event id: error} of the events still failing. Raises when the
    run carried nothing out (Prefect refused to start it): every event of it again."""
    from workflows.flows import steps as flow_steps

    broke = None
    run = flow_steps.start(flows_by_process()[process], process, triples)
    try:
        run_in_prefect(run)
    except Exception as error:  # noqa: BLE001 - what the run carried out before it broke still counts
        broke = error
        run.close()  # never started when Prefect could not be reached: closed, not left for the collector to warn of
    failed = flow_steps.failed_of(triples)
    if failed is None:
        raise broke or RuntimeError("the flow run ended without carrying its events out")
    return failed


def deliver_once(config: Config, name: str | None = None, limit: int = 20, *,
                 pause: Callable[[float], None] = time.sleep) -> int:
    """The delivery lane: claim due delivery rounds and carry them out side by side, off the events' path, so a
    slow or silent endpoint holds up no event (outbound.py); each round is done once attempted (a failed one
    has its next attempt scheduled on its delivery). `pause` waits between a round's quick retries."""
    rt = flow_runtime.configure(config)
    with rt.sessions() as session:
        rounds = claim(session, name or worker_name(), limit, lane="deliveries")
    if not rounds:
        return 0

    def attempt(event: OutboxEvent) -> str:
        outbound.attempt_round(rt.sessions, event.kind, event.payload["delivery_id"],
                               manual=bool(event.payload.get("manual")), pause=pause,
                               allowed_hosts=config.webhook_allowed_hosts, config=config)
        return ""

    with ThreadPoolExecutor(max_workers=min(len(rounds), DELIVERY_THREADS)) as pool:
        futures = {event.id: pool.submit(attempt, event) for event in rounds}
    for event in rounds:
        error = futures[event.id].exception()
        if error is None:
            _finish(rt, [event], "done")
        else:  # the database, not the endpoint, failed: the round is tried again
            log.warning("delivery round %s failed: %s", event.id, error)
            _finish(rt, [event], "retry", str(error))
    return len(rounds)


def _finish(rt, batch: list[OutboxEvent], outcome: str, error: str = "") -> None:
    """Settle events here: done (an event of no flow, a delivery round), or released for a later attempt (a
    failed one, with its back-off; after MAX_ATTEMPTS, failed for good and shown to the administrators). An
    event a flow run settled done stays done."""
    now = utcnow()
    outcomes = []
    with rt.sessions() as session:
        for event in batch:
            if outcome == "done":
                values = dict(status="done", processed_at=now, last_error="")
            else:
                failed = event.attempts >= MAX_ATTEMPTS
                delay = timedelta(seconds=min(300, 2 ** min(event.attempts, 8)))
                values = dict(status="failed" if failed else "pending", available_at=now + delay,
                              last_error=error[:2000], claimed_by=None)
            session.execute(update(OutboxEvent).where(OutboxEvent.id == event.id, OutboxEvent.status != "done")
                            .values(**values))
            outcomes.append((event, values["status"]))
        session.commit()
    for event, status in outcomes:
        _count(event, status)


def _settled(batch: list[OutboxEvent], failed: dict[int, str]) -> None:
    """The events a flow run settled done, counted and logged."""
    for event in batch:
        if event.id not in failed:
            _count(event, "done")


def _count(event: OutboxEvent, status: str) -> None:
    metrics.EVENTS_HANDLED.labels(event.process, status).inc()
    log.log(logging.WARNING if status == "failed" else logging.INFO, "event %s", status,
            extra={"event": event.id, "case": event.case_id, "flow": event.process, "kind": event.kind,
                   "outcome": status})


def run_once(config: Config, name: str | None = None, limit: int = 50, *, in_process: bool = False) -> int:
    rt = flow_runtime.configure(config)
    with rt.sessions() as session:
        events = claim(session, name or worker_name(), limit)
        if events:  # another process may have imported a holiday year since the last batch
            calendar_service.install_from(session)
    return process_batch(config, events, in_process=in_process) if events else 0


def drain(config: Config, *, max_rounds: int = 100, in_process: bool = False) -> int:
    """Process until nothing is due, events and delivery rounds (used by tests and by `worker --drain`).
    `in_process`: the events' steps without Prefect, and every retry made at once, without its pause (as
    `carry.in_process` makes the slow path's attempts)."""
    total = 0
    pause = _no_pause if in_process else time.sleep
    for _ in range(max_rounds):
        processed = run_once(config, in_process=in_process) + deliver_once(config, pause=pause)
        if processed == 0 and not _pending(config):
            break
        total += processed
    return total


def _no_pause(_seconds: float) -> None:
    return None


def _pending(config: Config) -> bool:
    rt = flow_runtime.configure(config)
    with rt.sessions() as session:
        return session.scalar(select(OutboxEvent.id).where(OutboxEvent.status == "pending",
                                                           OutboxEvent.available_at <= utcnow()).limit(1)) is not None


def prefect_answers() -> None:
    """The Prefect server the flows report to answers its health check."""
    url = os.environ.get("PREFECT_API_URL")  # the environment as it is now
    if not url:
        from prefect.settings import PREFECT_API_URL  # Prefect's own settings (its profile), read only if needed

        url = PREFECT_API_URL.value()
    if not url:
        raise LookupError("PREFECT_API_URL is not set")
    # the process's one TLS context: a context made for each check loads the certificate store (~20 ms of CPU)
    httpx.get(url.rstrip("/") + "/health", timeout=3, trust_env=False, verify=outbound.tls()).raise_for_status()


def serve_probe(config: Config) -> None:
    rt = flow_runtime.configure(config)
    probe.serve(config.worker_host, config.worker_port,
                {"database": probe.database_answers(rt.sessions), "prefect": prefect_answers},
                lambda: metrics.exposition(rt.sessions))


def settle_heap() -> None:
    """Prefect and the flows loaded now, then left out of the garbage collector's passes (operations.heap)."""
    from prefect import flow_engine  # noqa: F401 - what every batch needs, loaded once
    from workflows.flows.registry import FLOWS  # noqa: F401

    heap.settle()


def run_forever(config: Config, poll_seconds: float = 0.5) -> None:
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logs.configure(config.log_format, part="worker")
    name = worker_name()
    if config.worker_port:
        serve_probe(config)
    settle_heap()
    log.info("worker started", extra={"worker": name})
    lane = threading.Thread(target=_deliveries_forever, args=(config, name, lambda: stopping, poll_seconds),
                            name="delivery-lane", daemon=True)
    lane.start()
    while not stopping:
        try:
            processed = run_once(config, name)
        except Exception as error:  # noqa: BLE001 - the database may be restarting: wait and retry
            log.warning("worker loop: %s", logs.error_class(error), extra={"error": logs.error_class(error)})
            processed = 0
        if processed == 0:
            time.sleep(poll_seconds)
    lane.join(timeout=15)
    log.info("worker stopped")


def _deliveries_forever(config: Config, name: str, stopping, poll_seconds: float) -> None:
    """The delivery lane's own loop beside the events' loop: an endpoint that answers slowly or not at all delays
    only the rounds of this lane."""
    while not stopping():
        try:
            attempted = deliver_once(config, name)
        except Exception as error:  # noqa: BLE001 - the database may be restarting: wait and retry
            log.warning("delivery lane: %s", logs.error_class(error), extra={"error": logs.error_class(error)})
            attempted = 0
        if attempted == 0:
            time.sleep(poll_seconds)
