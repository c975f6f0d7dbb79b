"""The supervision dashboard's server time with 1,000,000 cases in PostgreSQL (`make bench`; docs/performance.md).

The cases are generated in SQL (generate_series) in a database of the benchmark's own: about four years
of objections, 95% ended, 5% open (50,000), each with one legal deadline (most met, some missed, the open
ones pending, due soon, overdue or paused), spread over the demo's departments.
"""
from __future__ import annotations

import statistics
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.bench import perfdoc
from tests.conftest import PG_ADMIN_URL, make_app, need_postgres
from workflows.store.migrate import upgrade

CASES = 1_000_000
OPEN_EVERY = 20  # one case in 20 is still open

LOAD_CASES = """
INSERT INTO cases (process, state, department_id, data, result, filed_at, updated_at, closed_at, version)
SELECT 'objection',
       CASE WHEN g % :open_every = 0 THEN (ARRAY['submitted', 'verifying', 'awaiting_supplement'])[1 + g % 3]
            ELSE (ARRAY['closed', 'closed', 'refused', 'withdrawn'])[1 + g % 4] END,
       (SELECT array_agg(id ORDER BY id) FROM departments)[1 + g % (SELECT count(*) FROM departments)],
       '{}', '',
       filed, filed,
       CASE WHEN g % :open_every = 0 THEN NULL ELSE filed + make_interval(days => (1 + (g::bigint * 7919) % 40)::int) END,
       1
FROM (SELECT g, now() - make_interval(mins => ((g::bigint * 2099) % (4 * 365 * 24 * 60))::int) AS filed
      FROM generate_series(1, :cases) AS g) AS series
"""

LOAD_TIMERS = """
INSERT INTO sla_timers (case_id, kind, owner, department_id, status, limit_days, started_on, due_on, due_at, warn_at,
                        next_fire_at, breached_at, ended_at, created_at)
SELECT id, 'verification', 'department', department_id, status, 20, filed_at::date, due::date, due, due - interval '3 days',
       CASE WHEN status IN ('pending', 'warned') THEN least(due - interval '3 days', due) END,
       CASE WHEN status = 'breached' THEN due END,
       CASE WHEN closed_at IS NOT NULL THEN closed_at END,
       filed_at
FROM (SELECT c.id, c.department_id, c.filed_at, c.closed_at,
             CASE WHEN c.closed_at IS NULL THEN now() + make_interval(days => (c.id % 60) - 20)
                  ELSE c.filed_at + interval '28 days' END AS due,
             CASE WHEN c.closed_at IS NULL THEN (ARRAY['pending', 'warned', 'breached', 'paused'])[1 + c.id % 4]
                  WHEN c.id % 10 = 0 THEN 'breached' ELSE 'met' END AS status
      FROM cases c) AS t
"""


@pytest.fixture(scope="module")
def big_database():
    need_postgres()
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        started = time.perf_counter()
        _load(url)
        print(f"\nloaded {CASES:,} cases in {time.perf_counter() - started:.0f} s")
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _load(url: str) -> None:
    engine = create_engine(url)
    app = make_app(url, _instance())
    from webapp.extensions import db
    from workflows.demo import seed

    with app.app_context():
        seed(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    with engine.begin() as connection:
        connection.execute(text(LOAD_CASES), {"cases": CASES, "open_every": OPEN_EVERY})
        connection.execute(text(LOAD_TIMERS))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE cases"))
        connection.execute(text("VACUUM ANALYZE sla_timers"))
    engine.dispose()


def _instance():
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp(prefix="cc-bench-"))


@pytest.mark.bench
@pytest.mark.postgres
def test_dashboard_server_time_with_a_million_cases(big_database, benchmark):
    app = make_app(big_database, _instance())
    client = app.test_client()
    assert client.post("/login", data={"username": "supervisor", "password": "demo-pass-2026"}).status_code == 302
    with app.app_context():
        from webapp.extensions import db

        assert db.session.execute(text("SELECT count(*) FROM cases")).scalar() == CASES

    def serve():
        response = client.get("/supervision/")
        assert response.status_code == 200
        return response

    client.get("/supervision/")  # warm: connection pool, templates, calendar
    benchmark.pedantic(serve, rounds=10, iterations=1)
    median_ms = benchmark.stats.stats.median * 1000
    filtered = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get("/supervision/?department=SCJGJ&start=2025-01-01&end=2025-12-31").status_code == 200
        filtered.append((time.perf_counter() - started) * 1000)
    print(f"\ndashboard, default period (this month): median {median_ms:.0f} ms over 10 requests")
    print(f"dashboard, one department, a whole year: median {statistics.median(filtered):.0f} ms over 5 requests")
    perfdoc.record("4", "supervisor dashboard with 1,000,000 cases, server time", f"{median_ms:.0f} ms (one department, "
                   f"a whole year: {statistics.median(filtered):.0f} ms)", "< 300 ms", median_ms < 300,
                   f"median of 10 GET /supervision/ as a supervisor (Flask test client, no network), 50,000 open cases "
                   f"with their timers, 950,000 closed over four years; PostgreSQL; {perfdoc.machine()}",
                   "every figure is an aggregate query; open cases and open timers are read by index-only scans of "
                   "partial indexes (closed_at IS NULL, ended_at IS NULL), the deadlines met and missed by partial "
                   "indexes of their own (ix_sla_timers_met, and ix_sla_timers_breached of migration 0015, which made "
                   "the breaches index-only: they had fetched each timer to test its kind). Since 0015: the trend "
                   "counts each month by a range of its index (twelve counts in one statement, built once) instead of "
                   "twelve conditional sums evaluated on every row of the year; the overdue deadlines per due day and "
                   "the cases they hold up are counted in one pass (GROUPING SETS on PostgreSQL, two queries on "
                   "SQLite); the period's deadlines are counted without joining the cases unless a case filter "
                   "applies; the overdue list takes its total from the figure of overdue cases instead of counting "
                   "them again (23 statements a request down to 21); the case table translates its column names once "
                   "instead of in each of its 50 rows. What remains: the worst deadline status of the 50,000 open "
                   "cases (their timers grouped by case, joined to the open cases) and the overdue pass, the trend's "
                   "index ranges (about 230,000 entries a year for each of opened, closed and met), and about 65 ms "
                   "of the page's own CPU (half of it the template); a trend filtered by department still sums the "
                   "year in one pass. A monthly summary table for the trend and the worst status kept on the case "
                   "row would take most of it out of the request. The figure depends on the machine as much as on "
                   "the code: the same code measured 340 and 402 ms on 2026-12-06 on a machine where this data set "
                   "took 168 s to build, and 172 and 176 ms in two runs on 2026-12-07 where it took 38 s (one "
                   "request's statements then: the overdue pass 41 ms, the worst deadline status 40 ms, the trend's "
                   "three counts 15-17 ms each, the rest under 7 ms)")
    assert median_ms < 300, f"dashboard took {median_ms:.0f} ms (target: under 300 ms)"
