"""The benchmark's paced clients (paced_clients.py, row 1d) against a stand-in server: run with the test suite, not
`make bench`, so that the load tool a benchmark figure rests on does not break unseen."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.bench import paced_clients


class StandIn(BaseHTTPRequestHandler):
    """Files a case for each POST /api/v1/cases (201 with its id), refuses it at POST .../actions/refuse (200), and
    keeps what it was asked; every tenth refusal answers 409."""

    protocol_version = "HTTP/1.0"  # closes each connection after its answer, as gunicorn's sync workers do

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        time.sleep(server.delay)
        with server.lock:
            if self.path == "/api/v1/cases":
                server.filed.append((self.headers["Authorization"], body["list_entry_id"]))
                status, answer = 201, {"id": len(server.filed)}
            else:
                server.refused.append((self.headers["Authorization"], int(self.path.split("/")[4])))
                status, answer = (409, {"title": "conflict"}) if len(server.refused) % 10 == 0 else (200, {})
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def stand_in(delay: float = 0.0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.lock, server.filed, server.refused, server.delay = threading.Lock(), [], [], delay
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_against(server: ThreadingHTTPServer, applicants: str, seconds: float, rate: float, monkeypatch) -> dict:
    monkeypatch.setenv("BENCH_APPLICANTS", applicants)
    monkeypatch.setenv("BENCH_OFFICE_TOKEN", "office")
    try:
        return paced_clients.run(f"http://127.0.0.1:{server.server_address[1]}", seconds, rate)
    finally:
        server.shutdown()


def test_paced_clients_file_and_refuse_at_the_rate_offered(monkeypatch):
    server = stand_in()
    run = run_against(server, "11:alpha,12:beta,13:gamma,14:delta", 2.0, 100.0, monkeypatch)
    assert run["requests"] == len(server.filed) + len(server.refused) > 100  # about 200 offered in the 2 s
    assert 0.5 * 100 < run["offered"] < 1.5 * 100
    assert run["rate"] <= run["offered"]
    assert {(token, entry) for token, entry in server.filed} == {
        ("Bearer alpha", 11), ("Bearer beta", 12), ("Bearer gamma", 13), ("Bearer delta", 14)}
    assert sorted(case for _, case in server.refused) == list(range(1, len(server.filed) + 1))  # each filing's own
    assert {token for token, _ in server.refused} == {"Bearer office"}
    assert run["failed"] == len(server.refused) // 10 and "refuse 409" in run["examples"][0]
    assert 0 < run["p50"] <= run["p95"]


def test_what_a_slow_server_could_not_take_counts_as_offered_not_served(monkeypatch):
    """One client offering 100 requests a second to a server that answers each in 40 ms can make about 12 filings
    a second: the rest fell due all the same, and the summary says the server fell behind."""
    run = run_against(stand_in(delay=0.04), "11:alpha", 2.0, 100.0, monkeypatch)
    assert run["rate"] < 30
    assert run["offered"] > 60  # about 100: the Poisson stream's count over 2 s
