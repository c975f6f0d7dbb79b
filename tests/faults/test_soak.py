"""Soak variant (`make soak`): a longer stream, the Prefect server down for a minute, the worker killed twice."""
from __future__ import annotations

import time

import pytest

from tests.faults import stack
from tests.faults.stack import OUTAGE_SECONDS

pytestmark = [pytest.mark.soak, pytest.mark.postgres]


def test_long_stream_through_an_outage_and_two_kills(database, env, tmp_path, parts, prefect, smtp, platform):
    applicants = stack.populate(database, 60)
    workers = [stack.worker(env, tmp_path, f"worker-{n}") for n in range(3)]
    parts.extend([workers[0].start(), stack.scheduler(env, tmp_path).start()])
    stream = stack.Stream(database, applicants, pause=0.2).start()
    time.sleep(5)
    workers[0].kill9()
    stack.expire_leases(database, workers[0].pid)
    parts.append(workers[1].start())
    prefect.stop()
    try:
        time.sleep(OUTAGE_SECONDS)
    finally:
        prefect.start()
        stack.wait_http(stack.prefect_url(prefect) + "/health", 120, prefect)
    workers[1].kill9()
    stack.expire_leases(database, workers[1].pid)
    parts.append(workers[2].start())
    stream.join(600)
    stack.make_timers_due(database)
    time.sleep(3)  # a sweep after the timers came due
    # released events wait out their back-off (up to 2 ** attempts s): the soak waits it too
    stack.wait_drained(database, 600, parts)
    stack.reconcile(database, smtp, platform, stream.expected)
