"""Nothing lost, nothing twice: faults during a stream of filings and decisions, then the counts reconcile.

The parts run as real processes on PostgreSQL: `credit-cases worker`, the APScheduler scheduler, a real
`prefect server start`; e-mails go to a real SMTP server, results to a real HTTP receiver that fails
its first request. The PostgreSQL restart restarts a server of the test's own (initdb, pg_ctl): it drops every
connection on that server, and none of the other tests'.
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from workflows.store.automation import EffectDone, OutboxEvent
from workflows.store.base import utcnow

from tests.faults import stack
from tests.faults.stack import OUTAGE_SECONDS

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def start(parts, proc: stack.Proc) -> stack.Proc:
    parts.append(proc.start())
    return proc


def claimed_and_half_done(url: str, pid: int) -> bool:
    """The worker holds a batch of which some, not all, events have their first effect done."""
    engine = create_engine(url)
    with engine.connect() as connection:
        claimed = select(OutboxEvent.id).where(OutboxEvent.status == "processing",
                                               OutboxEvent.claimed_by.like(f"%:{pid}"))
        held = connection.scalar(select(func.count()).select_from(claimed.subquery()))
        done = connection.scalar(select(func.count(func.distinct(EffectDone.event_id)))
                                 .where(EffectDone.event_id.in_(claimed)))
    engine.dispose()
    return held > 1 and 0 < done < held


def test_worker_killed_in_the_middle_of_a_batch(database, env, tmp_path, parts, smtp, platform):
    applicants = stack.populate(database, 10)
    stream = stack.Stream(database, applicants).start()
    stream.join()
    first = start(parts, stack.worker(env, tmp_path))
    deadline = time.monotonic() + 60
    while not claimed_and_half_done(database, first.pid):
        assert time.monotonic() < deadline, f"no batch in progress seen:\n{first.tail()}"
        time.sleep(0.02)
    first.kill9()
    assert stack.counts(database).get("processing"), "the killed worker's claims remain"
    assert stack.expire_leases(database, first.pid) > 0  # the lease runs out
    start(parts, stack.worker(env, tmp_path, "worker-2"))
    stack.wait_drained(database, 90, parts)
    # the killed worker may have handed an e-mail to SMTP without living to record it: resent once, same Message-ID
    result = stack.reconcile(database, smtp, platform, stream.expected, resent=1)
    assert result["cases"] == 10


def test_prefect_server_down_for_a_while(database, env, tmp_path, parts, prefect, smtp, platform):
    applicants = stack.populate(database, 12)
    start(parts, stack.worker(env, tmp_path))
    stream = stack.Stream(database, applicants, pause=0.05).start()
    time.sleep(1.0)
    prefect.stop()  # stopped in the middle of the stream
    try:
        time.sleep(OUTAGE_SECONDS)
        stream.join()  # people kept filing and deciding
        waiting = stack.counts(database)
        assert waiting.get("pending", 0) + waiting.get("processing", 0) > 0, waiting
    finally:
        prefect.start()
        stack.wait_http(stack.prefect_url(prefect) + "/health", 120, prefect)
    # the released events come back after their back-off (at most 2 ** attempts seconds); skip the wait
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(update(OutboxEvent).where(OutboxEvent.status == "pending").values(available_at=utcnow()))
    engine.dispose()
    stack.wait_drained(database, 90, parts)
    stack.reconcile(database, smtp, platform, stream.expected)


def test_two_schedulers_and_two_workers_at_once(database, env, tmp_path, parts, smtp, platform):
    applicants = stack.populate(database, 10)
    for name in ("worker-a", "worker-b"):
        start(parts, stack.worker(env, tmp_path, name))
    for name in ("scheduler-a", "scheduler-b"):
        start(parts, stack.scheduler(env, tmp_path, name))
    stream = stack.Stream(database, applicants[:5]).start()
    stream.join()
    assert stack.make_timers_due(database) > 0  # deadlines of the cases still waiting on a person
    # the second stream files a case a second: once three wait for the office, their deadlines fall due at once
    # and the sweep warns of them while the filings go on (a fixed sleep here depended on the machine's speed).
    # The office accepts only after the warnings: an acceptance first would meet a deadline before its warning,
    # which a slow sweep on a loaded machine allowed
    gate = threading.Event()
    more = stack.Stream(database, applicants[5:], pause=1.0, gate=gate).start()
    try:
        stack.wait_for_pending_timers(database, 3, timeout=60)
        before = stack.firings(database)
        assert stack.make_timers_due(database, cases_only=True) >= 3  # a new case is not warned before it is due soon
        stack.wait_for_firings(database, before + 3, timeout=60)
    finally:
        gate.set()
    more.join()
    stack.make_timers_due(database)
    time.sleep(2.5)
    stack.wait_drained(database, 90, parts)
    result = stack.reconcile(database, smtp, platform, {**stream.expected, **more.expected})
    assert result["timer_firings"] >= 3
    names = {row[0].rsplit(":", 1)[1] for row in _claimers(database)}
    assert len(names) == 2, "both workers took part"


def _claimers(url):
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(OutboxEvent.claimed_by).distinct()).all()
    engine.dispose()
    return [r for r in rows if r[0]]


def test_postgresql_restarted_under_load(private_postgres, env_for, tmp_path, parts, smtp, platform):
    """The database server restarted under load drops every connection: the worker and the scheduler carry on.
    The server is the test's own (its database goes with it), so the other tests run on beside it."""
    database = stack.create_database("cc_fault", private_postgres.admin_url)
    env = env_for(database)
    applicants = stack.populate(database, 12)
    start(parts, stack.worker(env, tmp_path))
    start(parts, stack.scheduler(env, tmp_path))
    stream = stack.Stream(database, applicants, pause=0.05).start()
    time.sleep(1.0)
    before = create_engine(database, poolclass=NullPool).connect()  # a connection of the server before the restart
    private_postgres.restart()
    assert stack.wait_for_postgres(60, private_postgres.admin_url) < 60
    with pytest.raises(OperationalError):  # the restart dropped it, as it dropped the worker's and the scheduler's
        before.execute(text("SELECT 1"))
    before.invalidate()
    before.close()
    stream.join()
    stack.make_timers_due(database)
    stack.wait_drained(database, 90, parts)
    time.sleep(2.0)  # a sweep after the timers came due
    stack.wait_drained(database, 90, parts)
    assert all(p.alive() for p in parts), "worker and scheduler survive the restart"
    stack.reconcile(database, smtp, platform, stream.expected)
