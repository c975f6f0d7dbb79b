"""Item 3: one SLA sweep with 1,000 due timers among 10,000 and among 1,000,000 pending (`make bench`).

The timer rows are generated in SQL; the due ones are the same 1,000 in both cases (warnings of open
cases). Between rounds the fired timers are put back as they were, so every round fires 1,000.
"""
from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import create_engine, text

from tests.bench import perfdoc
from tests.faults import stack
from workflows.automation.sweep import sweep
from workflows.store.base import utcnow
from workflows.store.db import make_session_factory

DUE = 1_000
ROUNDS = 5

pytestmark = [pytest.mark.bench, pytest.mark.postgres]

CASES = """
INSERT INTO cases (process, state, department_id, data, result, filed_at, updated_at, version)
SELECT 'objection', 'verifying', (SELECT min(id) FROM departments), '{}', '', now(), now(), 1
FROM generate_series(1, 100)
"""

# open deadlines whose next instant is days to months ahead: the rows the sweep must not pay for
NOT_DUE = """
INSERT INTO sla_timers (case_id, kind, owner, department_id, status, limit_days, started_on, due_on, due_at, warn_at,
                        next_fire_at, created_at)
SELECT NULL, 'verification', 'department', NULL, 'pending', 20, current_date, current_date + 30,
       now() + make_interval(days => 30), now() + make_interval(hours => 1 + (g % 2000)),
       now() + make_interval(hours => 1 + (g % 2000)), now()
FROM generate_series(1, :count) AS g
"""

DUE_ROWS = """
INSERT INTO sla_timers (case_id, kind, owner, department_id, status, limit_days, started_on, due_on, due_at, warn_at,
                        next_fire_at, created_at)
SELECT (SELECT min(id) FROM cases) + g % 100, 'verification', 'department', NULL, 'pending', 20, current_date,
       current_date + 5, now() + interval '5 days', now() - interval '1 hour', now() - interval '1 hour', now()
FROM generate_series(1, :count) AS g
"""

RESET = """
UPDATE sla_timers SET status = 'pending', warned_at = NULL, next_fire_at = warn_at WHERE case_id IS NOT NULL
"""


def _analyze(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE sla_timers"))


def _time_sweeps(url: str) -> list[float]:
    factory = make_session_factory(url)
    engine = factory.kw["bind"]
    times = []
    for _ in range(ROUNDS + 1):  # the first round warms the pool, the calendar and the plans
        with engine.begin() as connection:
            connection.execute(text(RESET))
        _analyze(engine)
        with factory() as session:
            now = utcnow()
            started = time.perf_counter()
            fired = sweep(session, now=now)
            session.commit()
            times.append(time.perf_counter() - started)
        assert fired == DUE
    factory.kw["bind"].dispose()
    return times[1:]


def test_sweep_cost_follows_the_due_rows(bench_database):
    url = bench_database
    stack.populate(url, 0)  # departments, settings, calendar
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(CASES))
        connection.execute(text(DUE_ROWS), {"count": DUE})
        connection.execute(text(NOT_DUE), {"count": 10_000 - DUE})
    small = _time_sweeps(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text(NOT_DUE), {"count": 1_000_000 - 10_000})
    loaded = time.perf_counter() - started
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM sla_timers")) >= 1_000_000
    big = _time_sweeps(url)
    engine.dispose()
    s, b = statistics.median(small), statistics.median(big)
    conditions = (f"median of {ROUNDS} sweeps, each firing {DUE:,} warnings (history row + outbox event each); "
                  f"PostgreSQL; {perfdoc.machine()}; 990,000 rows inserted in {loaded:.0f} s (INSERT ... SELECT)")
    perfdoc.record("3a", "SLA sweep, 1,000 due among 1,000,000 pending", f"{b * 1000:.0f} ms", "< 1 s", b < 1,
                   conditions, "was 17.6 s: each timer's conditional UPDATE autoflushed the previous timer's history "
                   "row, taking the history chain's lock and reading its tail once per timer (pyinstrument). Now the "
                   "rows locked by FOR UPDATE SKIP LOCKED are moved on in memory and the batch is flushed once "
                   "(batched UPDATEs and INSERTs, one chain extension), the batch's cases loaded in one query. What "
                   "remains is the 2,000 inserted rows and 1,000 updates, on a machine shared with other work")
    perfdoc.record("3b", "SLA sweep, 1,000,000 vs 10,000 pending", f"{b / s:.2f}× ({s * 1000:.0f} ms at 10,000)",
                   "≤ 1.5×", b / s <= 1.5, conditions)
    assert b < 1 and b / s <= 1.5
