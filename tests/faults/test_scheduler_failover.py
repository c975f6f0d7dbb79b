"""Two schedulers on PostgreSQL: one holds the sweep lock and sweeps, the other stands by; killed (SIGKILL, as when
its machine dies), the first's lock goes with its connection and the second takes over within its interval."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, select, update

from workflows.store.cases import Timer

from tests.faults import stack

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def expire_now(url: str, entry_id: int, timeout: float = 15) -> None:
    """Bring an entry's validity timer (armed by the sweeping scheduler) to now, and wait until a sweep expires it."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.begin() as connection:
                moved = connection.execute(update(Timer).where(
                    Timer.list_entry_id == entry_id, Timer.case_id.is_(None), Timer.status == "pending",
                    Timer.next_fire_at.is_not(None)).values(next_fire_at=Timer.created_at)).rowcount
                status = connection.scalar(select(Timer.status).where(Timer.list_entry_id == entry_id))
            if status == "expired":
                return
            assert time.monotonic() < deadline, f"entry {entry_id}'s validity not swept (timer {status}, moved {moved})"
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_the_standby_scheduler_takes_over_the_sweep(database, tmp_path, parts):
    applicants = stack.populate(database, 2)
    env = stack.product_env(database, tmp_path / "instance")
    a = stack.scheduler(env, tmp_path, "scheduler-a").start()
    parts.append(a)
    first = stack.wait_for_holder(database, {a.pid: a}, 20)
    b = stack.scheduler(env, tmp_path, "scheduler-b").start()
    parts.append(b)
    deadline = time.monotonic() + 20
    while "standing by" not in b.tail():
        assert time.monotonic() < deadline and b.alive(), b.tail()
        time.sleep(0.1)
    expire_now(database, applicants[0][1])
    assert "swept" in first.tail() and "swept" not in b.tail(), "only the lock's holder sweeps"

    first.kill9()
    killed_at = time.monotonic()
    second = stack.wait_for_holder(database, {b.pid: b}, 60)
    took = time.monotonic() - killed_at
    assert second is b and took < 60, f"took over after {took:.1f} s"
    expire_now(database, applicants[1][1])
    assert "took the sweep lock" in b.tail() and "swept" in b.tail()
    print(f"standby took over the sweep {took:.1f} s after the holder was killed")
