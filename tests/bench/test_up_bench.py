"""Item 6: `credit-cases up` from an installed checkout to answering pages and a healthy Prefect server.

The console script of the installed package, in a fresh instance folder (the embedded default: SQLite,
the Prefect server on its own SQLite), then a second start in the same folder (`make bench`).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from tests.bench import perfdoc
from tests.faults import stack
from tests.receivers import free_port

pytestmark = [pytest.mark.bench]


def _start_up(instance: Path, logs: Path, name: str) -> tuple[float, float]:
    port, prefect_port = free_port(), free_port()
    env = {"CREDIT_CASES_INSTANCE_PATH": str(instance), "CREDIT_CASES_PORT": str(port),
           "CREDIT_CASES_PREFECT_PORT": str(prefect_port), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env = {**env, **{k: "" for k in ("CREDIT_CASES_DATABASE_URL", "PREFECT_API_URL") if k in os.environ}}
    script = Path(os.environ.get("VIRTUAL_ENV", stack.ROOT / ".venv")) / "bin" / "credit-cases"
    up = stack.Proc(name, [str(script), "up"], env, logs / f"{name}.log")
    started = time.perf_counter()
    up.start()
    pages = prefect = None
    try:
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while pages is None or prefect is None:
                assert up.alive(), up.tail()
                assert time.perf_counter() - started < 180, up.tail()
                try:
                    if pages is None and client.get(f"http://127.0.0.1:{port}/login").status_code == 200:
                        pages = time.perf_counter() - started
                    if prefect is None and client.get(f"http://127.0.0.1:{prefect_port}/api/health").is_success:
                        prefect = time.perf_counter() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
    finally:
        up.stop(grace=30)
    return pages, prefect


def test_up_until_pages_and_prefect_answer(tmp_path):
    instance = tmp_path / "instance"
    cold = _start_up(instance, tmp_path, "up-first")
    warm = _start_up(instance, tmp_path, "up-again")
    first, again = max(cold), max(warm)
    conditions = (f"installed console script, embedded default (SQLite, the Prefect server on its own SQLite), "
                  f"pages = GET /login 200, Prefect = /api/health; {perfdoc.machine()}")
    perfdoc.record("6a", "`credit-cases up`, fresh instance folder",
                   f"{first:.1f} s (pages {cold[0]:.1f} s, Prefect {cold[1]:.1f} s)", "< 30 s", first < 30,
                   conditions + "; migrations and demo data included",
                   "was 67.7 s (pages 27.8 s, Prefect 67.7 s): the Prefect server was started only once the web "
                   "app answered, so the two start-ups added up; it now starts with the first part (Part.early). "
                   "What remains is the Prefect server's own start (its database migrations on a fresh home)")
    perfdoc.record("6b", "`credit-cases up`, second start", f"{again:.1f} s (pages {warm[0]:.1f} s, Prefect "
                   f"{warm[1]:.1f} s)", "< 30 s", again < 30, conditions)
    assert first < 30 and again < 30
