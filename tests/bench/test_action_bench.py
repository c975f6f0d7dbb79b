"""Actions in-process on SQLite: the objection cycle's transactions per second and SQL statements per transaction.

`action_cycle.py` runs in a process of its own (a fresh SQLite database in a temporary folder, migrated, the
demo data, then file -> accept -> confirm -> close, each a transaction of its own, with history, timers and
outbox written as in production). When CREDIT_CASES_BENCH_BASELINE names another checkout of the code (for
instance `git archive main | tar -x -C ../baseline`), the same script runs against it too, the two alternately,
so that a loaded machine weighs on both alike; the figures then say the ratio.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench import perfdoc

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("action_cycle.py")
CYCLES = 250  # 1,000 transactions a run
ROUNDS = 3


def measure(code: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, str(SCRIPT), str(CYCLES)], env=env, cwd=code, capture_output=True,
                          text=True, check=True, timeout=1800)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> dict:
    return {"per_second": statistics.median(r["per_second"] for r in runs),
            "per_cpu_second": statistics.median(r["transactions"] / r["cpu"] for r in runs),
            "statements": runs[0]["statements_per_transaction"], "by_action": runs[0]["statements_by_action"]}


@pytest.mark.bench
def test_objection_cycle_in_process_on_sqlite():
    baseline = os.environ.get("CREDIT_CASES_BENCH_BASELINE")
    ours: list[dict] = []
    theirs: list[dict] = []
    loads = []
    for _ in range(ROUNDS):
        loads.append(os.getloadavg()[0])
        if baseline:
            theirs.append(measure(Path(baseline)))
        ours.append(measure(ROOT))
    now = summary(ours)
    by_action = ", ".join(f"{k} {v:g}" for k, v in now["by_action"].items())
    print(f"\nthis code: {now['per_second']:.0f}/s, {now['per_cpu_second']:.0f} per CPU-second, "
          f"{now['statements']:g} statements per transaction ({by_action})")
    compared = ""
    if theirs:
        before = summary(theirs)
        print(f"baseline:  {before['per_second']:.0f}/s, {before['per_cpu_second']:.0f} per CPU-second, "
              f"{before['statements']:g} statements per transaction")
        compared = (f"; the code before, alternately in the same run: {before['per_second']:.0f}/s "
                    f"({before['per_cpu_second']:.0f} per CPU-second), {before['statements']:g} statements, "
                    f"so {now['per_second'] / before['per_second']:.2f}× the transactions per second and "
                    f"{now['per_cpu_second'] / before['per_cpu_second']:.2f}× per CPU-second")
    conditions = (f"median of {ROUNDS} runs of {CYCLES} cycles (file, accept, confirm, close: {4 * CYCLES} transactions "
                  f"a run, each a session of its own with the calendar check every request makes), in a process of "
                  f"its own; SQLite (WAL, synchronous FULL: each commit waits for the disk, ext4) in a temporary "
                  f"folder; history chained, timers and outbox written, the flow not run; "
                  f"load average {min(loads):.1f}-{max(loads):.1f} during the runs; {perfdoc.machine()}")
    perfdoc.record("7a", "actions in-process (objection cycle), SQLite",
                   f"{now['per_second']:.0f} transactions/s ({now['per_cpu_second']:.0f} per CPU-second of the "
                   f"process){compared}", "≥ 600/s", now["per_second"] >= 600, conditions)
    perfdoc.record("7b", "SQL statements per transaction (objection cycle)",
                   f"{now['statements']:g} ({by_action})", "≤ 6", now["statements"] <= 6,
                   "counted by a before_cursor_execute listener over the same runs (an executemany counts once)")
