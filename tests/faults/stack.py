"""The product's parts as real processes, a population of applicants, a stream of cases, a reconciliation.

Shared by the fault tests (tests/faults) and the benchmarks (tests/bench): each part runs as it does
in production (`credit-cases worker`, gunicorn, `prefect server start`, the APScheduler scheduler),
against a PostgreSQL database of the test's own.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text, update

from tests.conftest import PG_ADMIN_URL, with_provisional_years
from tests.receivers import free_port
from workflows import clock
from workflows.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
# a minute of Prefect outage in the soak variant (`make soak`), a few seconds in the suite
OUTAGE_SECONDS = float(os.environ.get("CREDIT_CASES_SOAK_OUTAGE", "4"))
GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


# --- databases ---------------------------------------------------------------------------------


def create_database(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    with_provisional_years(url)  # limits filed in December must be countable whatever day the suite runs
    return url


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def wait_for_postgres(timeout: float = 60.0) -> float:
    """Seconds until PostgreSQL answers a query again."""
    started = time.monotonic()
    while True:
        try:
            engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            return time.monotonic() - started
        except Exception:  # noqa: BLE001 - still starting
            if time.monotonic() - started > timeout:
                raise
            time.sleep(0.2)


# --- processes ---------------------------------------------------------------------------------


@dataclass
class Proc:
    """A child process of one part, with its output in a log file (shown when a test fails)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None

    def start(self) -> "Proc":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(self.argv, env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env}, cwd=ROOT,
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        out.close()
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        """SIGKILL to the whole process group: no clean-up runs, as when a machine dies."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill9()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def wait_http(url: str, timeout: float, proc: Proc | None = None) -> float:
    started = time.monotonic()
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            if proc is not None and not proc.alive():
                raise RuntimeError(f"{proc.name} exited while starting:\n{proc.tail()}")
            try:
                if client.get(url).is_success:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{url} not answering after {timeout:.0f} s" + (f":\n{proc.tail()}" if proc else ""))
            time.sleep(0.2)


def prefect_server(home: Path, logs: Path, port: int | None = None) -> Proc:
    from webapp.supervisor import prefect_server_part

    part = prefect_server_part(home, port or free_port())
    return Proc("prefect", part.argv, part.env, logs / "prefect.log")


def prefect_url(server: Proc) -> str:
    return server.env["PREFECT_API_URL"]


def product_env(database_url: str, instance: Path, *, prefect_api: str = "", smtp_port: int | None = None,
                platform_url: str = "") -> dict[str, str]:
    env = {
        "CREDIT_CASES_DATABASE_URL": database_url,
        "CREDIT_CASES_INSTANCE_PATH": str(instance),
        "CREDIT_CASES_SECRET_KEY": "fault-and-bench-secret",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    if prefect_api:
        env["PREFECT_API_URL"] = prefect_api
    if smtp_port:
        env.update(CREDIT_CASES_SMTP_HOST="127.0.0.1", CREDIT_CASES_SMTP_PORT=str(smtp_port))
    if platform_url:
        env["CREDIT_CASES_PLATFORM_URL"] = platform_url
    return env


def cli() -> list[str]:
    return [sys.executable, "-m", "webapp.cli"]


def worker(env: dict, logs: Path, name: str = "worker") -> Proc:
    return Proc(name, [*cli(), "worker"], env, logs / f"{name}.log")


def scheduler(env: dict, logs: Path, name: str = "scheduler", interval: int = 1) -> Proc:
    """The product's APScheduler scheduler (workflows.automation.scheduler.build_scheduler) with a short sweep interval."""
    code = ("from workflows.automation.scheduler import build_scheduler; from workflows.config import Config; "
            "from workflows.operations import logs; logs.configure('json', part='scheduler'); "
            f"build_scheduler(Config.from_env(), interval_seconds={interval}).start()")
    return Proc(name, [sys.executable, "-c", code], env, logs / f"{name}.log")


def web(env: dict, logs: Path, port: int, workers: int = 2, threads: int = 1, name: str = "web") -> Proc:
    argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}", "webapp:create_app()"]
    return Proc(name, argv, {**env, "CREDIT_CASES_PORT": str(port)}, logs / f"{name}.log")


# --- a population of applicants, each with a black-list entry of its own -------------------------


def enterprise(n: int) -> str:
    from workflows.demo import enterprise_code

    return enterprise_code(f"914404009{n:08d}")


def populate(database_url: str, count: int, *, start: int = 0) -> list[tuple[str, int]]:
    """Demo data (if empty) plus `count` applicants `bench{n}`, each with its own black-list entry.

    Returns [(username, list entry id)]. Password: the demo password.
    """
    from datetime import timedelta

    from workflows.demo import DEMO_PASSWORD, seed
    from workflows.domain.process import Actor
    from workflows.services.admin import accounts
    from workflows.services.lists import listings
    from workflows.store.db import make_session_factory

    accounts.use_fast_hashing_for_tests()
    factory = make_session_factory(database_url)
    actor = Actor.system("bench")
    today = clock.today()
    made = []
    with factory() as session:
        seed(session, only_if_empty=True)
        session.commit()
        for n in range(start, start + count):
            code = enterprise(n)
            entry = listings.record_listing(session, listings.ListingRequest(
                code, f"测试企业{n}有限公司", "black", "SCJGJ", "《企业信息公示暂行条例》第十七条",
                f"珠市监信〔2026〕{n}号", today - timedelta(days=100), today + timedelta(days=700),
                ["P-PROC", "P-LICENSE"], "market_regulation", "信用中国（珠海）网站"), actor)
            accounts.create_user(session, username=f"bench{n}", password=DEMO_PASSWORD, roles=["applicant"],
                                 subject_code=code, actor=actor, email=f"bench{n}@example.com")
            made.append((f"bench{n}", entry.id))
        session.commit()
    factory.kw["bind"].dispose()
    return made


# --- a stream of filings and decisions, through the services, as the web app makes them ---------------


@dataclass
class Stream:
    """Files one objection per applicant, accepts it, then confirms (even) or revokes (odd) it."""

    database_url: str
    applicants: list[tuple[str, int]]
    pause: float = 0.0
    expected: dict[int, str] = field(default_factory=dict)  # case id -> final decision
    errors: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    def run(self) -> None:
        from workflows.domain.process import Actor
        from workflows.services.admin.accounts import find_user
        from workflows.services.casework.actors import actor_for
        from workflows.services.casework.cases import file_case, take_action
        from workflows.store.db import make_session_factory

        factory = make_session_factory(self.database_url)

        def who(session, username) -> Actor:
            return actor_for(find_user(session, username))

        def attempt(fn):
            for tries in range(60):  # the database may be restarting: try again, as a person would
                try:
                    with factory() as session:
                        result = fn(session)
                        session.commit()
                        return result
                except Exception as error:  # noqa: BLE001
                    if "OperationalError" not in type(error).__name__ and "terminat" not in str(error):
                        raise
                    time.sleep(0.5)
            raise RuntimeError("the database did not come back")

        try:
            cases = []
            for username, entry_id in self.applicants:
                case_id = attempt(lambda s: file_case(s, "objection", who(s, username),
                                                      {"list_entry_id": entry_id, "grounds": GROUNDS}).id)
                cases.append(case_id)
                time.sleep(self.pause)
            for case_id in cases:
                attempt(lambda s: take_action(s, case_id, "accept", who(s, "office"), {}))
                time.sleep(self.pause)
            for i, case_id in enumerate(cases):
                decision = "confirm" if i % 2 == 0 else "revoke"
                attempt(lambda s: take_action(s, case_id, decision, who(s, "provider"), {"reason": "经核实。"}))
                self.expected[case_id] = decision
                time.sleep(self.pause)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            factory.kw["bind"].dispose()

    def start(self) -> "Stream":
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def join(self, timeout: float = 120) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the stream of filings did not finish"
        assert not self.errors, self.errors


# --- the outbox, and the reconciliation of everything it led to ------------------------------------


def counts(database_url: str) -> dict[str, int]:
    from workflows.store.automation import OutboxEvent

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)).all()
    engine.dispose()
    return dict(rows)


def wait_drained(database_url: str, timeout: float, parts: list[Proc] = ()) -> None:
    deadline = time.monotonic() + timeout
    while True:
        now = counts(database_url)
        if not now.get("pending") and not now.get("processing") and now.get("done"):
            return
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name}\n{p.tail()}" for p in parts)
            raise AssertionError(f"outbox not drained after {timeout:.0f} s: {now}\n{logs}")
        time.sleep(0.3)


def expire_leases(database_url: str, claimed_by_pid: int) -> int:
    """What 5 minutes do to a dead worker's claims (ADR 0004), without waiting 5 minutes."""
    from workflows.automation.worker import LEASE
    from workflows.store.automation import OutboxEvent

    engine = create_engine(database_url)
    with engine.begin() as connection:
        moved = connection.execute(
            update(OutboxEvent)
            .where(OutboxEvent.status == "processing", OutboxEvent.claimed_by.like(f"%:{claimed_by_pid}"))
            .values(claimed_at=OutboxEvent.claimed_at - text(f"interval '{int(LEASE.total_seconds()) + 1} seconds'"))
        ).rowcount
    engine.dispose()
    return moved


def reconcile(database_url: str, smtp, platform, expected: dict[int, str], *, resent: int = 0) -> dict[str, int]:
    """`resent`: how many e-mails may arrive twice, with the same Message-ID, because a worker was killed
    between the SMTP server's acceptance and the commit that records it (at-least-once; mail systems drop
    a duplicate Message-ID). Everything else is exactly once."""
    """Every event processed once, every timer fired once, every measure as its case says, every notice sent once."""
    from workflows.store.automation import EffectDone, Notification, OutboxEvent, PlatformDelivery
    from workflows.store.cases import Case, Timer
    from workflows.store.db import make_session_factory
    from workflows.store.models import HistoryEntry, ListEntry

    factory = make_session_factory(database_url)
    with factory() as session:
        events = session.scalars(select(OutboxEvent)).all()
        assert {e.status for e in events} == {"done"}, Counter(e.status for e in events)

        # each decision recorded once, and each event's steps claimed once (primary key), none missing
        decided = Counter(session.execute(select(HistoryEntry.case_id, HistoryEntry.action).where(
            HistoryEntry.case_id.in_(expected), HistoryEntry.action.in_(("file", "accept", "confirm", "revoke", "close")))).all())
        doubled = {k: n for k, n in decided.items() if n > 1}
        assert not doubled, f"actions recorded more than once: {doubled}"
        effects = Counter(session.scalars(select(EffectDone.effect)))
        kinds = Counter(e.kind for e in events)
        assert effects["suspend_listing"] == kinds["accept"] == len(expected)
        assert effects["resume_listing"] == kinds["confirm"]
        assert effects["revoke_listing"] == kinds["revoke"]

        # every measure in the state its case says
        for case_id, decision in expected.items():
            case = session.get(Case, case_id)
            entry = session.get(ListEntry, case.list_entry_id)
            measures = sorted({m.status for m in entry.measures})
            want = ("active", ["active"]) if decision == "confirm" else ("purged", ["stopped"])
            assert case.state == "closed", (case_id, case.state)
            assert (entry.status, measures) == want, (case_id, decision, entry.status, measures)

        # every timer fired once: one event per timer and firing, none left due
        fired = Counter((e.payload.get("timer_id"), e.kind) for e in events if e.payload.get("timer_id"))
        assert all(n == 1 for n in fired.values()), {k: n for k, n in fired.items() if n > 1}
        warned = session.scalar(select(func.count()).select_from(Timer).where(Timer.warned_at.is_not(None)))
        assert sum(1 for (_, kind) in fired if kind == "warn") == warned
        from workflows.store.base import utcnow
        overdue = session.scalar(select(func.count()).select_from(Timer).where(
            Timer.next_fire_at <= utcnow(), Timer.status.in_(("pending", "warned", "breached"))))
        assert overdue == 0, f"{overdue} due timers never fired"

        # every notice once: one inbox row per key, one e-mail per row, the platform told once per result
        notes = session.scalars(select(Notification)).all()
        emailed = {n.id for n in notes if n.emailed_at is not None}
        assert len(emailed) == len([n for n in notes if n.email_to]), "an e-mail was not sent"
        sent = Counter(m["message_id"] for m in smtp.messages)
        twice = {k: n for k, n in sent.items() if n > 1}
        assert len(twice) <= resent and all(n == 2 for n in twice.values()), twice
        assert len(sent) == len(emailed)
        deliveries = session.scalars(select(PlatformDelivery)).all()
        assert {d.status for d in deliveries} <= {"delivered"}
        keys = Counter(h.get("Idempotency-Key") for h in platform.headers)
        assert len(keys) == len(deliveries)  # each delivery received under its own key (once, or again unchanged)
        # one result per case; the rest are the listings the stream started from, reported as results are
        assert len([d for d in deliveries if d.case_id is not None]) == len(expected)
        result = {"events": len(events), "notifications": len(notes), "emails": len(sent),
                  "timer_firings": len(fired), "deliveries": len(deliveries), "cases": len(expected)}
    factory.kw["bind"].dispose()
    return result


def _poll(database_url: str, statement, wanted: int, timeout: float, what: str) -> int:
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                found = connection.execute(statement).scalar_one()
            if found >= wanted:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: {found} after {timeout:.0f} s, wanted {wanted}")
            time.sleep(0.2)
    finally:
        engine.dispose()


def wait_for_pending_timers(database_url: str, wanted: int, timeout: float) -> int:
    """Wait until `wanted` case deadlines are running (pending, with a firing instant); a list entry's validity
    timer (a key-attention entry after an expiry, say) is no case deadline and expires rather than warns."""
    from workflows.store.cases import Timer

    statement = select(func.count()).select_from(Timer).where(Timer.status == "pending", Timer.case_id.is_not(None),
                                                              Timer.next_fire_at.is_not(None))
    return _poll(database_url, statement, wanted, timeout, "running deadlines")


def _warned():
    from workflows.store.cases import Timer

    return select(func.count()).select_from(Timer).where(Timer.warned_at.is_not(None))


def firings(database_url: str) -> int:
    """How many deadlines the sweepers have warned of so far."""
    return _poll(database_url, _warned(), 0, 0, "deadlines warned of")


def wait_for_firings(database_url: str, wanted: int, timeout: float) -> int:
    """Wait until the sweepers have warned of `wanted` deadlines in all."""
    return _poll(database_url, _warned(), wanted, timeout, "deadlines warned of")


def make_timers_due(database_url: str, *, cases_only: bool = False) -> int:
    """Bring the warning instant of every pending deadline (or only the cases') to now, so the sweepers have work."""
    from workflows.store.base import utcnow
    from workflows.store.cases import Timer

    engine = create_engine(database_url)
    pending = [Timer.status == "pending", Timer.next_fire_at.is_not(None),
               *([Timer.case_id.is_not(None)] if cases_only else [])]
    with engine.begin() as connection:
        moved = connection.execute(update(Timer).where(*pending).values(next_fire_at=utcnow(), warn_at=utcnow())).rowcount
    engine.dispose()
    return moved
