"""The scheduler process: APScheduler jobs that sweep the SLA timers and make the monthly statistics.

Two schedulers may run (on two machines) for availability: the one holding the sweep lock
(workflows/automation/sweep_lock.py) sweeps; the other stands by and takes over at its next tick after the
first dies.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from sla.calendar import local_date
from workflows.automation.sweep import sweep
from workflows.automation.sweep_lock import SweepLock
from workflows.config import Config
from workflows.operations import logs, metrics, probe
from workflows.services.supervision.monthly import generate_due
from workflows.store import audit_chain
from workflows.store.base import utcnow
from workflows.store.db import make_session_factory

log = logging.getLogger("credit_cases.scheduler")


def sweep_once(session_factory) -> int:
    with session_factory() as session:
        fired = sweep(session)
        session.commit()
    if fired:
        log.info("swept: %d timer(s) fired", fired, extra={"fired": fired})
    anchor_once(session_factory)
    return fired


def anchor_once(session_factory) -> int:
    """The heads of the history chains that moved since the last anchor, anchored in the chain of anchors
    (ADR 0012): after it, removing a case's last rows is found by `credit-cases audit verify`."""
    with session_factory() as session:
        anchored = audit_chain.anchor(session)
        session.commit()
    if anchored is not None:
        log.info("history anchored: %d chain head(s)", len(anchored.heads), extra={"heads": len(anchored.heads)})
    return len(anchored.heads) if anchored is not None else 0


def monthly_report_once(session_factory, today=None) -> str | None:
    """On and after the first working day of a month, the previous month's statistics exist (kept)."""
    with session_factory() as session:
        report = generate_due(session, today or local_date(utcnow()))
        session.commit()
    if report:
        log.info("monthly statistics made", extra={"report": report.month})
    return report.month if report else None


def tick(lock: SweepLock, session_factory) -> int | None:
    """One interval: sweep if this scheduler holds the lock (and, on taking it over, catch up the monthly
    statistics the other may have missed); None when standing by."""
    was = lock.held
    if not lock.hold():
        metrics.SCHEDULER_LEADER.set(0)
        return None
    metrics.SCHEDULER_LEADER.set(1)
    if not was:
        monthly_report_once(session_factory)
    fired = sweep_once(session_factory)
    metrics.SWEEPS.inc()
    return fired


def monthly_if_leader(lock: SweepLock, session_factory) -> str | None:
    return monthly_report_once(session_factory) if lock.hold() else None


def build_scheduler(config: Config, interval_seconds: int | None = None,
                    lock: SweepLock | None = None) -> BlockingScheduler:
    session_factory = make_session_factory(config.database_url)
    lock = lock or SweepLock(config.database_url, config.instance_path)
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    # first tick at once: takes the lock (or stands by) and catches up the monthly statistics
    scheduler.add_job(tick, "interval", seconds=interval_seconds or config.sweep_seconds,
                      args=[lock, session_factory], id="sla-sweep", max_instances=1, coalesce=True,
                      next_run_time=utcnow())
    scheduler.add_job(monthly_if_leader, "cron", hour=0, minute=30, args=[lock, session_factory],
                      id="monthly-report", max_instances=1, coalesce=True)
    scheduler.sweep_lock = lock
    scheduler.session_factory = session_factory
    return scheduler


def run_forever(config: Config) -> None:
    logs.configure(config.log_format, part="scheduler")
    scheduler = build_scheduler(config)
    if config.scheduler_port:
        probe.serve(config.worker_host, config.scheduler_port,
                    {"database": probe.database_answers(scheduler.session_factory)},
                    lambda: metrics.exposition(scheduler.session_factory))
    log.info("scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.sweep_lock.release()
