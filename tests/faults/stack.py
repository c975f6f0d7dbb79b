"""The product's parts as real processes, a population of applicants, a stream of cases (through the services, or
through the JSON API over several web processes), a reconciliation.

Shared by the fault tests (tests/faults) and the benchmarks (tests/bench): each part runs as it does
in production (`credit-cases worker`, gunicorn, `prefect server start`, the APScheduler scheduler),
against a PostgreSQL database of the test's own.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, make_url, select, text, update

from tests.conftest import PG_ADMIN_URL, with_provisional_years
from tests.receivers import free_port
from workflows import clock
from workflows.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
# a minute of Prefect outage in the soak variant (`make soak`), a few seconds in the suite
OUTAGE_SECONDS = float(os.environ.get("CREDIT_CASES_SOAK_OUTAGE", "4"))
GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


# --- databases ---------------------------------------------------------------------------------


def create_empty_database(prefix: str, admin_url: str = PG_ADMIN_URL) -> str:
    """A new PostgreSQL database with nothing in it (the Prefect server's, say): its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def create_database(prefix: str, admin_url: str = PG_ADMIN_URL) -> str:
    """A new PostgreSQL database migrated to this code's schema: its URL."""
    url = create_empty_database(prefix, admin_url)
    upgrade(url)
    with_provisional_years(url)  # limits filed in December must be countable whatever day the suite runs
    return url


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def wait_for_postgres(timeout: float = 60.0, admin_url: str = PG_ADMIN_URL) -> float:
    """Seconds until PostgreSQL answers a query again."""
    started = time.monotonic()
    while True:
        try:
            engine = create_engine(admin_url, connect_args={"connect_timeout": 2})
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            return time.monotonic() - started
        except Exception:  # noqa: BLE001 - still starting
            if time.monotonic() - started > timeout:
                raise
            time.sleep(0.2)


def postgres_programs() -> Path | None:
    """The folder of the newest installed PostgreSQL's own programs (initdb, pg_ctl), if any."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    folders = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")]
    return max(folders, key=lambda f: int(f.parent.name) if f.parent.name.isdigit() else 0, default=None)


class PrivatePostgres:
    """A PostgreSQL server of one test's own: initdb in a folder of its own, on a free local port, so that it can
    be restarted while other tests use the machine's server. As root, it runs as the `postgres` account (initdb
    refuses root). Its superuser is the one the tests' usual address names."""

    def __init__(self, programs: Path):
        self.programs, self.port = programs, free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="cc-private-pg-"))
        self.data = self.folder / "data"
        address = make_url(PG_ADMIN_URL)
        user = address.username
        self.admin_url = address.set(host="127.0.0.1", port=self.port, database="postgres").render_as_string(
            hide_password=False)
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self._as, str(self.programs / program), *args], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60", *args)

    def start(self) -> "PrivatePostgres":
        # what a fast restart writes, it writes at its shutdown checkpoint: no need to wait for the disk otherwise
        self._ctl("-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        wait_for_postgres(60, self.admin_url)
        return self

    def restart(self) -> None:
        """Every connection dropped, as `pg_ctlcluster restart -m fast` does to the machine's server."""
        self._ctl("-m", "fast", "restart")

    def remove(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)


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


def prefect_server(home: Path, logs: Path, port: int | None = None, database: str = "") -> Proc:
    """The Prefect server the product starts; `database`: the URL of a PostgreSQL database of its own, as in
    production (docs/operations.md), instead of SQLite in its home."""
    from webapp.supervisor import prefect_server_part

    part = prefect_server_part(home, port or free_port())
    env = dict(part.env)
    if database:  # Prefect's server talks to PostgreSQL through asyncpg
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database.replace("+psycopg", "+asyncpg")
    return Proc("prefect", part.argv, env, logs / "prefect.log")


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
    """Files one objection per applicant, accepts it, then confirms (even) or revokes (odd) it. With a `gate`, the
    office accepts none before the test opens it (`gate.set()`): a deadline the test made due is not met first."""

    database_url: str
    applicants: list[tuple[str, int]]
    pause: float = 0.0
    gate: threading.Event | None = None
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
            if self.gate is not None and not self.gate.wait(120):
                raise RuntimeError("the gate before the acceptances was never opened")
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


# --- the same stream through the JSON API, spread over several web processes ------------------------


@dataclass
class HttpStream:
    """The stream's filings and decisions as a client of the JSON API makes them, round robin over the web
    processes at `urls`, staggered so that filings, acceptances and decisions are all in flight at once: at step t
    applicant t files, case t - lag is accepted (office), case t - 2 lag decided (provider: even confirm, odd revoke).

    A request whose answer is lost (its process died: refused, reset, closed without an answer, timed out) is sent
    again to the next process: a filing under the same `Idempotency-Key` (the API returns the first case), an
    action with the case version the client saw (if the first went through, 409; the client then reads the case
    and finds its action in the history). The client counts as done only what an answer acknowledged.
    """

    urls: list[str]
    applicants: list[tuple[str, int]]
    pause: float = 0.0
    lag: int = 2
    # steps at which the client stops waiting for the answers to its first sendings after 5 ms (as a proxy's
    # timeout does): the request goes on at the server while the client sends it again to another process
    impatient: frozenset[int] = frozenset()
    expected: dict[int, str] = field(default_factory=dict)  # case id -> final decision, as acknowledged
    filed: dict[str, tuple[str, int]] = field(default_factory=dict)  # idempotency key -> (applicant, case id)
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (case id, action) answered 200
    lost: list[str] = field(default_factory=list)  # requests sent whose answer never came (sent again)
    refused: int = 0  # requests a dead process never took (connection refused)
    served: Counter = field(default_factory=Counter)  # answers per web process
    steps: int = 0
    in_flight: tuple[str, str, str] | None = None  # (process, method, path) asked at this instant
    errors: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    def __post_init__(self):
        self._going = threading.Event()  # cleared: the people pause between two steps
        self._going.set()
        self._paused = threading.Event()  # set while they do pause
        self._tokens: dict[str, str] = {}
        self._down: dict[str, float] = {}
        self._turn = 0

    # the client's transport: the next live process, again on another when an answer is lost

    def _next_url(self) -> str:
        now = time.monotonic()
        for _ in range(len(self.urls)):
            url = self.urls[self._turn % len(self.urls)]
            self._turn += 1
            if self._down.get(url, 0) <= now:
                return url
        time.sleep(0.2)  # all down for a moment: ask again soon
        return self.urls[self._turn % len(self.urls)]

    def _send(self, client: httpx.Client, method: str, path: str, headers: dict | None = None, *,
              impatient: bool = False, **kwargs) -> tuple[httpx.Response, bool]:
        """The answer, and whether a sending of this request lost its answer (`impatient`: the first one's)."""
        lost = False
        deadline = time.monotonic() + 60
        while True:
            url = self._next_url()
            self.in_flight = (url, method, path)
            try:
                timeout = httpx.Timeout(15.0, read=0.005) if impatient and not lost else client.timeout
                response = client.request(method, url + path, headers=headers, timeout=timeout, **kwargs)
            except httpx.ConnectError:
                self.refused += 1  # never reached a process: nothing done
                self._down[url] = time.monotonic() + 5
            except httpx.TransportError as error:
                lost = True
                self.lost.append(f"{method} {path} to {url}: {type(error).__name__}")
                if not isinstance(error, httpx.TimeoutException):  # closed without an answer: gone, for now
                    self._down[url] = time.monotonic() + 5
            else:
                if response.status_code not in (502, 503, 504):
                    self.served[url] += 1
                    return response, lost
            finally:
                self.in_flight = None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path}: no web process answered for 60 s")

    def _auth(self, client: httpx.Client, username: str) -> dict:
        if username not in self._tokens:
            from workflows.demo import DEMO_PASSWORD

            response, _ = self._send(client, "POST", "/api/v1/auth/token",
                                     json={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 200, (username, response.status_code, response.text[:300])
            self._tokens[username] = response.json()["token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    # what the people do

    def file(self, client: httpx.Client, username: str, entry_id: int) -> int:
        key = uuid.uuid4().hex
        lost = False
        for attempt in range(5):
            response, lost_now = self._send(client, "POST", "/api/v1/cases",
                                            impatient=attempt == 0 and self.steps in self.impatient,
                                            headers={**self._auth(client, username), "Idempotency-Key": key},
                                            json={"process": "objection", "list_entry_id": entry_id,
                                                  "grounds": GROUNDS})
            lost = lost or lost_now
            # 409 after a lost answer: the sending again raced the first, still at work; once it is done, the same
            # key returns its case
            if not (response.status_code == 409 and lost):
                break
            time.sleep(0.2)
        assert response.status_code == 201, ("file", username, response.status_code, response.text[:300])
        case_id = response.json()["id"]
        self.filed[key] = (username, case_id)
        return case_id

    def read(self, client: httpx.Client, case_id: int, username: str) -> dict:
        response, _ = self._send(client, "GET", f"/api/v1/cases/{case_id}", headers=self._auth(client, username))
        assert response.status_code == 200, ("read", case_id, response.status_code, response.text[:300])
        return response.json()

    def act(self, client: httpx.Client, case_id: int, action: str, username: str, params: dict) -> None:
        case = self.read(client, case_id, username)  # the person opens the case, then acts on what it shows
        lost = False
        for attempt in range(10):
            response, lost_now = self._send(client, "POST", f"/api/v1/cases/{case_id}/actions/{action}",
                                            impatient=attempt == 0 and self.steps in self.impatient,
                                            headers=self._auth(client, username),
                                            json={**params, "version": case["version"]})
            lost = lost or lost_now
            if response.status_code == 200:
                self.acknowledged.append((case_id, action))
                return
            if response.status_code != 409:
                break
            case = self.read(client, case_id, username)  # changed meanwhile: by whom?
            if any(h["action"] == action for h in case["history"]):
                assert lost, f"case {case_id}: {action} in its history, never acknowledged nor lost"
                self.acknowledged.append((case_id, action))  # the sending whose answer was lost went through
                return
            if action not in case["available_actions"]:
                break
            # the worker moved the case on (its version) between the reading and the action: again
        raise AssertionError(f"case {case_id}: {action} refused: {response.status_code} {response.text[:300]}")

    def run(self) -> None:
        cases: list[int] = []
        try:
            with httpx.Client(timeout=15.0, trust_env=False) as client:
                count = len(self.applicants)
                for t in range(count + 2 * self.lag):
                    if not self._going.is_set():
                        self._paused.set()
                        self._going.wait()
                        self._paused.clear()
                    if t < count:
                        cases.append(self.file(client, *self.applicants[t]))
                    if 0 <= t - self.lag < count:
                        self.act(client, cases[t - self.lag], "accept", "office", {})
                    if 0 <= t - 2 * self.lag < count:
                        i = t - 2 * self.lag
                        decision = "confirm" if i % 2 == 0 else "revoke"
                        self.act(client, cases[i], decision, "provider", {"reason": "经核实。"})
                        self.expected[cases[i]] = decision
                    self.steps = t + 1
                    time.sleep(self.pause)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{type(error).__name__}: {error}")

    @property
    def total_steps(self) -> int:
        return len(self.applicants) + 2 * self.lag

    def hold(self, timeout: float = 60) -> None:
        """The people pause once their present step is done (the deadlines of the cases in hand keep running)."""
        self._going.clear()
        deadline = time.monotonic() + timeout
        while not self._paused.wait(0.05):
            assert not self.errors, self.errors
            assert self.thread.is_alive() and time.monotonic() < deadline, f"the stream stopped at step {self.steps}"

    def resume(self) -> None:
        self._going.set()

    def wait_for_step(self, step: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.steps < step:
            assert not self.errors, self.errors
            assert self.thread.is_alive() and time.monotonic() < deadline, f"the stream stopped at step {self.steps}"
            time.sleep(0.05)

    def start(self) -> "HttpStream":
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def join(self, timeout: float = 120) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the stream of requests did not finish (at step {self.steps})"
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


def claims_of(database_url: str, pid: int) -> list[int]:
    """The events a worker (by its process id) holds claimed and not yet done."""
    from workflows.store.automation import OutboxEvent

    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = connection.scalars(select(OutboxEvent.id).where(
            OutboxEvent.status == "processing", OutboxEvent.claimed_by.like(f"%:{pid}"))).all()
    engine.dispose()
    return list(ids)


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


def wait_for_holder(database_url: str, pids: dict[int, Proc], timeout: float) -> Proc:
    """The scheduler (among `pids`) that holds the sweep lock, once one does."""
    from workflows.automation.sweep_lock import holder

    deadline = time.monotonic() + timeout
    while True:
        name = holder(database_url)
        if name:
            pid = int(name.rsplit(":", 1)[1])
            if pid in pids:
                return pids[pid]
        assert time.monotonic() < deadline, "no scheduler took the sweep lock:\n" + "\n".join(
            p.tail() for p in pids.values())
        time.sleep(0.1)
