"""The product as separate parts, one of each killed: nothing lost, nothing twice.

On a PostgreSQL database of its own: two web processes (a gunicorn each, as two web machines behind the proxy),
two automation workers (`credit-cases worker`), two schedulers and the Prefect server, each a process of its own.
A client of the JSON API files objections and has them accepted and decided, spread over both web processes
(stack.HttpStream). In the middle of the stream one of each part is killed with SIGKILL (no clean-up, as when its
machine dies): a web process while it works on a request, a worker while it holds claimed events, the scheduler
that holds the sweep lock just as deadlines fall due. Then everything reconciles: every acknowledged filing is one
case, every acknowledged action is in its case's history once, every event carried out once (measures as the
cases say, one e-mail per notice, one platform result per case), every deadline fired once, and by the survivors.
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest
from sqlalchemy import select

from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case
from workflows.store.db import make_session_factory
from workflows.store.models import HistoryEntry

from tests.faults import stack
from tests.faults.stack import OUTAGE_SECONDS
from tests.receivers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def start(parts, proc: stack.Proc) -> stack.Proc:
    parts.append(proc.start())
    return proc


def frozen(proc: stack.Proc):
    """SIGSTOP to the part's process group: it holds still while the test looks at what it holds."""
    os.killpg(proc.pid, signal.SIGSTOP)


def thawed(proc: stack.Proc):
    os.killpg(proc.pid, signal.SIGCONT)


def kill_web_while_it_files_or_acts(stream: stack.HttpStream, web: stack.Proc, url: str, timeout: float = 30) -> str:
    """Kill a web process while the client waits for its answer to a filing or an action: frozen while such a
    request is with it, so that the request is surely sent and unanswered, then killed. The request."""
    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, "no filing or action sent to the web process seen"
        request = stream.in_flight
        if request and request[0] == url and request[1] == "POST" and request[2].startswith("/api/v1/cases"):
            frozen(web)
            time.sleep(0.3)
            if stream.in_flight is request:  # the client waits on a process that cannot answer any more
                web.kill9()
                return f"{request[1]} {request[2]}"
            thawed(web)  # it had answered already: the next one
        time.sleep(0.002)


def kill_worker_holding_claims(database: str, workers: list[stack.Proc],
                               timeout: float = 60) -> tuple[stack.Proc, list[int]]:
    """Kill the first worker seen (frozen, so that it holds still) holding claimed events not yet done; the events
    it leaves behind."""
    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, "no worker seen holding claims:\n" + "\n".join(w.tail() for w in workers)
        for worker in workers:
            frozen(worker)
            held = stack.claims_of(database, worker.pid)
            if held:
                worker.kill9()
                return worker, held
            thawed(worker)
        time.sleep(0.02)


def run(database, env, tmp_path, parts, smtp, platform, *, cases: int, pause: float, prefect=None) -> dict:
    applicants = stack.populate(database, cases)
    ports = [free_port(), free_port()]
    webs = [start(parts, stack.web(env, tmp_path, port, workers=1, name=f"web-{n}")) for n, port in zip("ab", ports)]
    workers = [start(parts, stack.worker(env, tmp_path, f"worker-{n}")) for n in "ab"]
    schedulers = [start(parts, stack.scheduler(env, tmp_path, f"scheduler-{n}")) for n in "ab"]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    for url, web in zip(urls, webs):
        stack.wait_http(url + "/readyz", 60, web)
    sweeper = stack.wait_for_holder(database, {s.pid: s for s in schedulers}, 30)
    standby = next(s for s in schedulers if s is not sweeper)

    # the client gives up on the first answers at two steps: those requests go on at a server while it sends
    # them again to the other, so that a retry meets a first sending that went through, whatever the kill hit
    stream = stack.HttpStream(urls, applicants, pause=pause, impatient=frozenset({2, 6})).start()
    total = stream.total_steps

    # a web process dies with a request in hand: the client sends it again to the other
    stream.wait_for_step(total // 4)
    killed_in = kill_web_while_it_files_or_acts(stream, webs[0], urls[0])
    served_before = stream.served[urls[1]]

    # the sweeping scheduler dies; the deadlines of the cases in hand fall due while the people pause (so that the
    # cases do not move on first): the standby takes the lock and fires them
    stream.wait_for_step(total * 2 // 5)
    stream.hold()
    sweeper.kill9()
    took_over = stack.wait_for_holder(database, {standby.pid: standby}, 60)
    before = stack.firings(database)
    due = stack.make_timers_due(database, cases_only=True)
    assert due >= 2, "the cases in hand have running deadlines"
    stack.wait_for_firings(database, before + due, timeout=30)
    stream.resume()

    # a worker dies holding claimed events (the workers' backlog outlasts the stream): when its lease runs out, the
    # other carries them out
    stream.wait_for_step(total * 3 // 5)
    dead_worker, left_behind = kill_worker_holding_claims(database, workers)
    survivor = next(w for w in workers if w is not dead_worker)
    assert stack.expire_leases(database, dead_worker.pid) == len(left_behind)  # its lease runs out (not waited)

    if prefect is not None:  # the soak variant: the Prefect server down for a while too
        prefect.stop()
        time.sleep(OUTAGE_SECONDS)
        prefect.start()
        stack.wait_http(stack.prefect_url(prefect) + "/health", 120, prefect)

    stream.join(300)
    stack.wait_drained(database, 120 if prefect is None else 600, parts)
    time.sleep(2.0)  # a sweep after the last decisions: nothing more falls due
    stack.wait_drained(database, 60, parts)

    # the survivors lived through it, and each took over the dead one's work: the client's request in hand at the
    # kill went again to the other web process, the events left claimed were carried out by the other worker, the
    # standby swept
    assert all(p.alive() for p in (webs[1], survivor, standby)), "the surviving parts stay up"
    assert any(f"{killed_in} to {urls[0]}:" in lost for lost in stream.lost), (killed_in, stream.lost)
    assert stream.served[urls[1]] > served_before and stream.served[urls[0]] > 0, stream.served
    assert took_over is standby and "took the sweep lock" in standby.tail(200) and "swept" in standby.tail(200)
    claimed = _claimed_by(database, left_behind)
    assert set(claimed.values()) == {survivor.pid}, f"the events left behind were carried out by {claimed}"

    # every acknowledged filing is one case; every acknowledged action is in its case's history, once
    _check_filings_and_actions(database, stream, applicants)
    result = stack.reconcile(database, smtp, platform, stream.expected, resent=1)
    assert result["cases"] == cases and result["timer_firings"] >= due
    print(f"{result}; answers lost and sent again: {len(stream.lost)} ({stream.lost}); refused: {stream.refused}; "
          f"served: {dict(stream.served)}; left behind by the killed worker: {len(left_behind)}")
    return result


def _claimed_by(database: str, event_ids: list[int]) -> dict[int, int]:
    """Event id -> process id of the worker that finished it."""
    factory = make_session_factory(database)
    with factory() as session:
        rows = session.execute(select(OutboxEvent.id, OutboxEvent.status, OutboxEvent.claimed_by)
                               .where(OutboxEvent.id.in_(event_ids))).all()
    factory.kw["bind"].dispose()
    assert {status for _, status, _ in rows} == {"done"}, rows
    return {event_id: int(by.rsplit(":", 1)[1]) for event_id, _, by in rows}


def _check_filings_and_actions(database: str, stream: stack.HttpStream, applicants) -> None:
    factory = make_session_factory(database)
    with factory() as session:
        filed = session.execute(select(Case.id, Case.submission_key, Case.list_entry_id)
                                .where(Case.process == "objection")).all()
        assert len(stream.filed) == len(applicants)
        assert sorted(c for _, c in stream.filed.values()) == sorted(i for i, _, _ in filed), "a case unacknowledged"
        by_key = Counter((key or "").rsplit(":", 1)[-1] for _, key, _ in filed)
        assert all(by_key[key] == 1 for key in stream.filed), "an acknowledged filing is not exactly one case"
        per_entry = Counter(entry for _, _, entry in filed)
        assert set(per_entry.values()) == {1} and len(per_entry) == len(applicants), per_entry
        taken = Counter(session.execute(select(HistoryEntry.case_id, HistoryEntry.action).where(
            HistoryEntry.case_id.in_([i for i, _, _ in filed]))).all())
        acknowledged = Counter(stream.acknowledged)
        assert all(n == 1 for n in acknowledged.values()), "the client was told twice of one action"
        assert {k: taken[k] for k in acknowledged} == dict(acknowledged), "an acknowledged action lost or doubled"
        assert len(acknowledged) == 2 * len(applicants)  # accepted and decided, each
    factory.kw["bind"].dispose()


def test_one_of_each_part_killed_in_the_middle_of_the_stream(database, env, tmp_path, parts, smtp, platform):
    run(database, env, tmp_path, parts, smtp, platform, cases=12, pause=0.05)


@pytest.mark.soak
def test_one_of_each_part_killed_in_a_long_stream_with_a_prefect_outage(database, env, tmp_path, parts, smtp,
                                                                        platform, prefect):
    run(database, env, tmp_path, parts, smtp, platform, cases=80, pause=0.2, prefect=prefect)
