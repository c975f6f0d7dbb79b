"""The scheduler process: an APScheduler job that sweeps the SLA timers."""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from sla.calendar import local_date
from workflows.automation.sweep import sweep
from workflows.config import Config
from workflows.services.supervision.monthly import generate_due
from workflows.store.base import utcnow
from workflows.store.db import make_session_factory

log = logging.getLogger("credit_cases.scheduler")


def sweep_once(session_factory) -> int:
    with session_factory() as session:
        fired = sweep(session)
        session.commit()
    return fired


def monthly_report_once(session_factory, today=None) -> str | None:
    """On and after the first working day of a month, the previous month's statistics exist (kept)."""
    with session_factory() as session:
        report = generate_due(session, today or local_date(utcnow()))
        session.commit()
    return report.month if report else None


def build_scheduler(config: Config, interval_seconds: int = 30) -> BlockingScheduler:
    session_factory = make_session_factory(config.database_url)
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(sweep_once, "interval", seconds=interval_seconds, args=[session_factory],
                      id="sla-sweep", max_instances=1, coalesce=True)
    # daily, and once at start, so a scheduler that was down on the first working day catches up
    scheduler.add_job(monthly_report_once, "cron", hour=0, minute=30, args=[session_factory], id="monthly-report",
                      max_instances=1, coalesce=True, next_run_time=utcnow())
    return scheduler


def run_forever(config: Config) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    scheduler = build_scheduler(config)
    log.info("scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
