"""The objection cycle in-process on SQLite: file, accept, confirm, close, each in a transaction of its own.

Run as a script, in a process of its own, by `test_action_bench.py` (`make bench`):

    python tests/bench/action_cycle.py CYCLES [--statements]

It prints one JSON object: transactions per second and SQL statements per transaction (counted by a
`before_cursor_execute` listener; an `executemany` counts once). It imports only the product's public
service functions, so that it also runs against another checkout of the code (PYTHONPATH), which is how
the benchmark compares two versions in the same run, alternately, on the same loaded machine.

Each transaction is what one request does on the action path: a session of its own, the calendar as the
database holds it (for a filing the web app's `before_request`; an action installs it after reading its case, whose
statement carries the configuration's stamps), the service call, the commit. The users' actors are
built once (a request's login lookup is the web layer's, not measured here). History (hash-chained),
timers and outbox events are written as in production; the outbox's consequences (the flow) are not run.
"""
from __future__ import annotations

import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"
WARM_CYCLES = 5


def provisional_years(session) -> None:
    """Stand-in arrangements for this year and the next where the packaged data lacks them (as the test
    suite's databases have): a 20-working-day limit started in December runs into next year."""
    import holidays

    from sla import calendar
    from workflows import clock
    from workflows.services.admin import calendar as calendar_service
    from workflows.store.models import CalendarYear

    calendar_service.install_from(session)
    for year in (clock.today().year, clock.today().year + 1):
        if calendar.default_calendar().source(year) is None:
            days_off = sorted(d.isoformat() for d in holidays.China(years=year) if d.weekday() < 5)
            session.add(CalendarYear(year=year, days_off=days_off, working_days=[],
                                     source_filename=f"provisional-{year}.json"))


def run(cycles: int, folder: Path, show_statements: bool = False, synchronous: str = "", profile=None) -> dict:
    from sqlalchemy import event, select

    from workflows.demo import seed
    from workflows.domain.process import Actor
    from workflows.services.admin import calendar as calendar_service
    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import cases
    from workflows.services.casework.actors import actor_for
    from workflows.store.db import make_session_factory
    from workflows.store.migrate import upgrade
    from workflows.store.models import ListEntry

    url = f"sqlite:///{folder / 'bench.sqlite'}"
    upgrade(url)
    sessions = make_session_factory(url)
    with sessions() as session:
        provisional_years(session)
        session.commit()
        seed(session)
        session.commit()
        applicant, office, provider = (actor_for(find_user(session, name)) for name in ("applicant", "office", "provider"))
        entry_id = session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)
                                  .order_by(ListEntry.id))
    system = Actor.system()

    if synchronous:  # the product's setting is SQLite's default for WAL (FULL: each commit waits for the disk)
        @event.listens_for(sessions.kw["bind"], "connect")
        def _synchronous(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

        sessions.kw["bind"].dispose()

    counts: Counter = Counter()
    phase = ["setup"]
    seen: list[str] = []
    recording = False

    @event.listens_for(sessions.kw["bind"], "before_cursor_execute")
    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        counts[phase[0]] += 1
        if recording:
            seen.append(f"{phase[0]}: {' '.join(statement.split())[:160]}")

    def transaction(name, work):
        phase[0] = name
        with sessions() as session:
            if name == "file":  # what a filing's request does first; an action's does it after reading its case
                calendar_service.install_from(session)
            result = work(session)
            session.commit()
            return result

    def cycle():
        case_id = transaction("file", lambda s: cases.file_case(
            s, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS}).id)
        transaction("accept", lambda s: cases.take_action(s, case_id, "accept", office))
        transaction("confirm", lambda s: cases.take_action(s, case_id, "confirm", provider,
                                                           {"reason": "经核实，原处罚决定有效。"}))
        transaction("close", lambda s: cases.take_action(s, case_id, "close", system))

    for _ in range(WARM_CYCLES):
        cycle()
    counts.clear()
    started = time.perf_counter()
    cpu = time.process_time()
    if profile is not None:
        profile.enable()
    for number in range(cycles):
        recording = show_statements and number == 0
        cycle()
    if profile is not None:
        profile.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    transactions = 4 * cycles
    sessions.kw["bind"].dispose()
    return {"cycles": cycles, "transactions": transactions, "seconds": round(elapsed, 3), "cpu": round(cpu, 3),
            "per_second": round(transactions / elapsed, 1),
            "statements_per_transaction": round(sum(counts.values()) / transactions, 2),
            "statements_by_action": {k: round(v / cycles, 2) for k, v in sorted(counts.items())},
            **({"statements": seen} if show_statements else {})}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="cc-action-bench-") as folder:
        synchronous = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--synchronous=")), "")
        profiler = cProfile.Profile(time.process_time) if "--profile" in sys.argv else None
        print(json.dumps(run(int(sys.argv[1]), Path(folder), "--statements" in sys.argv, synchronous, profiler),
                         ensure_ascii=False))
        if profiler is not None:  # CPU time, to stderr
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(40)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
