"""Items 1 and 5: state-changing requests at 32 concurrent clients, with the automation worker on the same cores and
without it, and the RSS of the web workers and of the automation worker meanwhile (`make bench`;
docs/performance.md).

The clients without a wait are wrk's (tests/bench/wrk_cycle.lua), a load tool in C that takes about 0.3 ms of CPU
a request where locust took 1.3-2.5 ms on the same two cores: the figure is the product's, not the load tool's.
The paced clients are a client of the benchmark's own (tests/bench/paced_clients.py, 0.35-0.45 ms of CPU a
request): wrk opens its next connection before a client's pause, and a gunicorn sync worker, which serves one
connection at a time, would wait on it meanwhile (in production the proxy in front sends a request whole); the
benchmark's clients connect when they send.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import httpx
import psutil
import pytest

from tests.faults import stack
from tests.receivers import free_port

from tests.bench import perfdoc

CLIENTS = 32
SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "45"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
ALONE_SECONDS = int(os.environ.get("BENCH_HTTP_ALONE_SECONDS", "15"))  # each run's events are drained before 1a
OFFERED = 200  # requests a second, the target's rate: the latency at 32 clients that offer it together
DRAIN_TIMEOUT = 600

pytestmark = [pytest.mark.bench, pytest.mark.postgres]


class PeakRss(threading.Thread):
    """Samples the resident set size of the gunicorn workers and the automation worker."""

    def __init__(self, web: stack.Proc, worker: stack.Proc):
        super().__init__(daemon=True)
        self.web, self.worker = psutil.Process(web.pid), psutil.Process(worker.pid)
        self.peak = {"web": 0, "worker": 0}
        self.running = True

    def run(self):
        while self.running:
            try:
                for child in self.web.children():
                    self.peak["web"] = max(self.peak["web"], child.memory_info().rss)
                self.peak["worker"] = max(self.peak["worker"], self.worker.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.5)


def token(host: str, username: str) -> str:
    from workflows.demo import DEMO_PASSWORD

    answer = httpx.post(f"{host}/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                        timeout=60)
    answer.raise_for_status()
    return answer.json()["token"]


def clients_env(host: str, applicants: list[tuple[str, int]]) -> dict[str, str]:
    """Each client's entry and token, and the office's token: asked for once, before any run is timed."""
    return {"BENCH_APPLICANTS": ",".join(f"{entry}:{token(host, username)}" for username, entry in applicants),
            "BENCH_OFFICE_TOKEN": token(host, "office")}


def run_paced(host: str, clients: dict[str, str], seconds: int, offered: float) -> dict:
    """The clients offering `offered` requests a second together, each at random moments (paced_clients.py): the
    summary of its two steps, as run_wrk's, with the rate offered and the load tool's own CPU a request."""
    argv = [sys.executable, "-m", "tests.bench.paced_clients", host, str(seconds), str(offered)]
    done = subprocess.run(argv, env={**os.environ, **clients}, cwd=stack.ROOT, capture_output=True, text=True,
                          timeout=seconds + 120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PACED ")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    run = json.loads(lines[-1][6:])
    return {"count": run["requests"], "failures": run["failed"], "rate": run["rate"], "offered": run["offered"],
            "p95": run["p95"], "p50": run["p50"], "client_cpu_ms": run["client_cpu_ms"], "examples": run["examples"]}


def run_wrk(host: str, clients: dict[str, str], seconds: int = SECONDS) -> dict:
    """Clients without a wait, one wrk thread and connection each: the summary of its two steps.
    wrk stops its clients where they are: a filing may be left unrefused, so each run has applicants of its own."""
    argv = ["wrk", "-t", str(CLIENTS), "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "30s",
            "-s", str(stack.ROOT / "tests" / "bench" / "wrk_cycle.lua"), host]
    done = subprocess.run(argv, env={**os.environ, **clients}, cwd=stack.ROOT,
                          capture_output=True, text=True, timeout=seconds + 120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("WRK ")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    run = json.loads(lines[-1][4:])
    steps = [run["file"], run["act"]]
    return {"count": run["requests"], "failures": run["failed"] + run["socket_errors"],
            "rate": run["requests"] / run["seconds"], "p95": max(s["p95"] for s in steps),
            "p50": max(s["p50"] for s in steps), "examples": run["examples"]}


def test_state_changing_requests_at_32_clients(bench_database, prefect_server, receivers, tmp_path):
    """Runs against the same web parts. First the web tier alone, the automation worker not yet started (as when the
    workers run on machines of their own, docs/operations.md): its capacity (clients without a wait, 1c) and its
    latency when the 32 clients offer 200 requests a second together (1d). With clients that never wait the
    latency is fixed by the throughput (Little's law: 32 requests always in flight, so the mean is 32 divided by
    the rate), so a latency target is only meaningful at a given rate. Their events are then carried out by the
    worker, started after them. Then everything on the same two cores, the worker carrying out each request's
    event meanwhile (1a, 1b)."""
    smtp, platform = receivers
    applicants = stack.populate(bench_database, 3 * CLIENTS)  # each run its own (run_wrk)
    env = stack.product_env(bench_database, tmp_path / "instance", prefect_api=stack.prefect_url(prefect_server),
                            smtp_port=smtp.port, platform_url=platform.url)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    web = stack.web(env, tmp_path, port, workers=WEB_WORKERS).start()
    worker = stack.worker(env, tmp_path)
    try:
        stack.wait_http(f"{host}/healthz", 60, web)
        alone = run_wrk(host, clients_env(host, applicants[:CLIENTS]), ALONE_SECONDS)
        paced = run_paced(host, clients_env(host, applicants[CLIENTS:2 * CLIENTS]), ALONE_SECONDS, OFFERED)
        backlog = stack.counts(bench_database).get("pending", 0)
        started = time.monotonic()
        worker.start()
        stack.wait_drained(bench_database, DRAIN_TIMEOUT, [worker])
        drained = time.monotonic() - started
        outcomes = stack.counts(bench_database)
        assert set(outcomes) == {"done"}, outcomes  # every event carried out, none given up
        sampler = PeakRss(web, worker)
        sampler.start()
        together = run_wrk(host, clients_env(host, applicants[2 * CLIENTS:]))
        sampler.running = False
        sampler.join()
    finally:
        web.stop()
        worker.stop()
    server = f"gunicorn {WEB_WORKERS} sync workers"
    load = f"PostgreSQL; load tool on the same {perfdoc.machine()}"
    conditions = (f"{CLIENTS} wrk clients (one connection each, no wait; their tokens asked for before) for "
                  f"{SECONDS} s, POST /api/v1/cases + POST .../actions/refuse; {server}; worker and Prefect server "
                  f"(on PostgreSQL) running; {load}")
    held_back = ("each request is about 6 ms of CPU in the web worker in-process (Flask test client; 7-9 ms under "
                 "gunicorn), and its event about 6-7 ms more in the automation worker; PostgreSQL, the Prefect "
                 "server and the load tool share the same 2 cores (docs/performance.md)")
    perfdoc.record("1a", "state-changing requests, throughput",
                   f"{together['rate']:.0f}/s ({together['count']} requests, {together['failures']} failed)",
                   "≥ 200/s", together["rate"] >= 200 and together["failures"] == 0, conditions, held_back)
    perfdoc.record("1b", "state-changing requests, p95 latency",
                   f"{together['p95']:.0f} ms (p50 {together['p50']:.0f} ms)", "< 100 ms", together["p95"] < 100,
                   conditions)
    alone_conditions = (f"as 1a for {ALONE_SECONDS} s, the automation worker not running (the workers on machines "
                        f"of their own, docs/operations.md); the {backlog} events of 1c and 1d then carried out by "
                        f"one worker in {drained:.0f} s, before 1a; {load}")
    perfdoc.record("1c", "state-changing requests, throughput, the web tier alone",
                   f"{alone['rate']:.0f}/s ({alone['count']} requests, {alone['failures']} failed; p95 "
                   f"{alone['p95']:.0f} ms)", "≥ 200/s", alone["rate"] >= 200 and alone["failures"] == 0,
                   alone_conditions)
    perfdoc.record("1d", f"state-changing requests, p95 latency at {OFFERED} requests/s offered, the web tier alone",
                   f"{paced['p95']:.0f} ms (p50 {paced['p50']:.0f} ms; {paced['rate']:.0f}/s served of "
                   f"{paced['offered']:.0f}/s offered, {paced['failures']} failed)", "< 100 ms",
                   paced["p95"] < 100 and paced["rate"] >= 0.95 * paced["offered"] and paced["failures"] == 0,
                   f"{CLIENTS} clients (tests/bench/paced_clients.py, {paced['client_cpu_ms']:.2f} ms of CPU a "
                   f"request), each filing at random moments (a Poisson stream) at "
                   f"{OFFERED / CLIENTS:g} requests/s (a filing and its refusal every {2 * CLIENTS / OFFERED:g} s on "
                   f"average) for {ALONE_SECONDS} s, after 1c; the rest as 1c")
    mb = {k: v / 2**20 for k, v in sampler.peak.items()}
    perfdoc.record("5a", "web worker RSS (peak, per gunicorn worker)", f"{mb['web']:.0f} MB", "< 200 MB",
                   mb["web"] < 200, "during item 1")
    perfdoc.record("5b", "automation worker RSS (peak)", f"{mb['worker']:.0f} MB", "< 300 MB", mb["worker"] < 300,
                   "during item 1, processing its events")
    assert not (together["failures"] or alone["failures"] or paced["failures"]), (together, alone, paced)
