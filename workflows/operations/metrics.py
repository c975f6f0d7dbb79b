"""Metrics in the Prometheus text format (prometheus_client), for the web app's and the worker's /metrics.

Two kinds: what the database says, the same whichever part is asked (the outbox's backlog and the age of
its oldest event, events done and failed, deliveries failing by channel, timers due and unscheduled),
read when scraped; and what this process counts (request latency by route, events this worker handled,
sweeps), kept in memory, or, under gunicorn, in PROMETHEUS_MULTIPROC_DIR so that all its workers add up.
"""
from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from workflows.automation.sweep import FIRING
from workflows.store.automation import Notification, OutboxEvent, PlatformDelivery
from workflows.store.base import utcnow
from workflows.store.cases import Timer
from workflows.store.hub import WebhookDelivery
from workflows.store.sms import SmsDelivery

CONTENT_TYPE = CONTENT_TYPE_LATEST
PREFIX = "credit_cases_"

REQUEST_SECONDS = Histogram(PREFIX + "http_request_duration_seconds", "Time to answer a request, by route",
                            ["route", "method", "status"],
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_HANDLED = Counter(PREFIX + "worker_events_total", "Outbox events this worker carried out, by outcome",
                         ["process", "outcome"])
SWEEPS = Counter(PREFIX + "scheduler_sweeps_total", "Sweeps of the SLA timers by this scheduler")
SCHEDULER_LEADER = Gauge(PREFIX + "scheduler_leader", "1 while this scheduler holds the sweep lock",
                         multiprocess_mode="liveall")


class DatabaseCollector:
    """The product's state as the database holds it, read at each scrape."""

    def __init__(self, session_factory):
        self.session_factory = session_factory

    def collect(self):
        now = utcnow()
        with self.session_factory() as session:
            by_status = dict(session.execute(select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)).all())
            oldest = session.scalar(select(func.min(OutboxEvent.created_at)).where(
                OutboxEvent.status.in_(("pending", "processing"))))
            failing = {
                "platform": session.scalar(select(func.count()).select_from(PlatformDelivery).where(
                    PlatformDelivery.status != "delivered", PlatformDelivery.attempts > 0)),
                "webhook": session.scalar(select(func.count()).select_from(WebhookDelivery).where(
                    WebhookDelivery.status != "delivered", WebhookDelivery.attempts > 0)),
                "sms": session.scalar(select(func.count()).select_from(SmsDelivery).where(
                    SmsDelivery.status != "delivered", SmsDelivery.attempts > 0)),
                "email": session.scalar(select(func.count()).select_from(Notification).where(
                    Notification.email_to != "", Notification.emailed_at.is_(None), Notification.email_error != "")),
            }
            due = session.scalar(select(func.count()).select_from(Timer).where(
                Timer.status.in_(FIRING), Timer.next_fire_at <= now))
            unscheduled = session.scalar(select(func.count()).select_from(Timer).where(
                Timer.status.in_(FIRING), Timer.next_fire_at.is_(None), Timer.paused_at.is_(None)))
        events = GaugeMetricFamily(PREFIX + "outbox_events", "Outbox events by status", labels=["status"])
        for status in ("pending", "processing", "done", "failed"):
            events.add_metric([status], by_status.get(status, 0))
        yield events
        yield GaugeMetricFamily(PREFIX + "outbox_backlog", "Outbox events waiting or being carried out",
                                value=by_status.get("pending", 0) + by_status.get("processing", 0))
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(PREFIX + "outbox_oldest_age_seconds", "Age of the oldest event not yet done",
                                value=max(age, 0.0))
        yield GaugeMetricFamily(PREFIX + "outbox_processed", "Outbox events carried out", value=by_status.get("done", 0))
        yield GaugeMetricFamily(PREFIX + "outbox_failed", "Outbox events given up after their attempts",
                                value=by_status.get("failed", 0))
        deliveries = GaugeMetricFamily(PREFIX + "deliveries_failing", "Deliveries tried and not (yet) delivered",
                                       labels=["channel"])
        for channel, count in failing.items():
            deliveries.add_metric([channel], count or 0)
        yield deliveries
        yield GaugeMetricFamily(PREFIX + "timers_due", "Deadlines whose firing instant has come", value=due or 0)
        yield GaugeMetricFamily(PREFIX + "timers_unscheduled", "Running deadlines with no firing instant",
                                value=unscheduled or 0)


def exposition(session_factory) -> bytes:
    """The text a scrape gets: this process's (or, under gunicorn, all its workers') metrics and the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        own = CollectorRegistry()
        MultiProcessCollector(own)
    else:
        own = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(DatabaseCollector(session_factory))
    return generate_latest(own) + generate_latest(state)


def fresh_metrics_folder(instance_path: Path, host: str | None = None) -> Path:
    """The folder where this machine's gunicorn workers add up their request metrics, emptied at each start: one
    per machine, since several web machines may share the instance folder (a restart here keeps the others')."""
    import shutil
    import socket

    folder = instance_path / "prometheus" / (host or socket.gethostname())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
