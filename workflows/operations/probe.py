"""A small HTTP port for a part without a web app of its own (worker, scheduler): /metrics, /healthz, /readyz.

/healthz: the process answers. /readyz: what it needs answers (its database; for the worker, the Prefect
server too): 200 with each check's "ok", or 503 naming what does not answer.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import text

from .metrics import CONTENT_TYPE

log = logging.getLogger("credit_cases.probe")


def check_all(checks: dict[str, Callable[[], None]]) -> tuple[bool, dict[str, str]]:
    """Run each check; ("ok" or the error's class) by name."""
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - not ready, and why (its class: no addresses in answers)
            results[name] = f"not answering ({type(error).__name__})"
    return all(v == "ok" for v in results.values()), results


def database_answers(session_factory) -> Callable[[], None]:
    def check() -> None:
        with session_factory() as session:
            session.execute(text("SELECT 1"))

    return check


def serve(host: str, port: int, checks: dict[str, Callable[[], None]], metrics: Callable[[], bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, metrics(), CONTENT_TYPE)
            elif path == "/healthz":
                self._json(200, {"status": "ok"})
            elif path == "/readyz":
                ready, results = check_all(checks)
                self._json(200 if ready else 503, {"status": "ok" if ready else "not ready", "checks": results})
            else:
                self._json(404, {"status": "not found"})

        def _json(self, status: int, body: dict) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):  # scrapes every few seconds: not worth a log line each
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="probe", daemon=True).start()
    log.info("probe listening on port %d", port)
    return server
