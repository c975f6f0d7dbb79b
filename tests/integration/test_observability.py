"""Watching the product: /metrics in the Prometheus format on the web app and on the worker's port, /healthz and
/readyz for each part, and logs as JSON lines with case and event numbers and no personal data."""
from __future__ import annotations

import io
import json
import logging
import shutil

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tests.conftest import make_app
from tests.integration.test_purge_scan import PERSONAL
from tests.receivers import free_port, serve_in_thread
from workflows.automation import worker
from workflows.demo import PERSON_BLACK
from workflows.operations import logs, metrics, probe
from workflows.store.db import make_session_factory
from workflows.store.migrate import downgrade
from workflows.store.models import Subject


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_web_metrics_health_and_readiness(client, seeded):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok", "schema": "ok"}
    client.get("/login")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    found = samples(response.get_data(as_text=True))
    names = {name for name, _ in found}
    for name in ("credit_cases_outbox_backlog", "credit_cases_outbox_oldest_age_seconds", "credit_cases_outbox_processed",
                 "credit_cases_outbox_failed", "credit_cases_timers_due", "credit_cases_timers_unscheduled"):
        assert name in names, name
    assert {labels for name, labels in found if name == "credit_cases_deliveries_failing"} == {
        (("channel", c),) for c in ("platform", "webhook", "sms", "email")}
    login = [labels for name, labels in found if name == "credit_cases_http_request_duration_seconds_count"
             and dict(labels)["route"] == "/login"]
    assert login, "the latency of /login, by its route"


def test_metrics_follow_the_outbox(world, client):
    entry_id = world.entry_of("person")
    world.file("person", list_entry_id=entry_id, grounds="该记录与本人无关，请核实。")
    waiting = samples(client.get("/metrics").get_data(as_text=True))
    assert waiting[("credit_cases_outbox_backlog", ())] >= 1
    world.drain()
    done = samples(client.get("/metrics").get_data(as_text=True))
    assert done[("credit_cases_outbox_backlog", ())] == 0 and done[("credit_cases_outbox_oldest_age_seconds", ())] == 0
    assert done[("credit_cases_outbox_processed", ())] >= 1


def test_readiness_fails_when_the_schema_is_behind(sqlite_template, tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(sqlite_template, path)
    downgrade(f"sqlite:///{path}", "0009_notice_params@-1")
    app = make_app(f"sqlite:///{path}", tmp_path / "instance")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and "credit-cases db upgrade" in answer.json["checks"]["schema"]


def test_worker_port_answers_metrics_health_and_readiness(sqlite_url, monkeypatch):
    sessions = make_session_factory(sqlite_url)
    prefect_port = free_port()
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{prefect_port}/api")  # nothing listens there
    port = free_port()
    server = probe.serve("127.0.0.1", port, {"database": probe.database_answers(sessions),
                                             "prefect": worker.prefect_answers}, lambda: metrics.exposition(sessions))
    try:
        with httpx.Client(timeout=30) as http:  # a busy machine: the answer, not its speed, is the subject
            base = f"http://127.0.0.1:{port}"
            assert http.get(base + "/healthz").json() == {"status": "ok"}
            not_ready = http.get(base + "/readyz")
            assert not_ready.status_code == 503
            checks = not_ready.json()["checks"]
            assert checks["database"] == "ok" and "not answering" in checks["prefect"]
            metrics.EVENTS_HANDLED.labels("objection", "done").inc()
            text = http.get(base + "/metrics").text
            assert "credit_cases_outbox_backlog" in text and "credit_cases_worker_events_total" in text
            with _health_server(prefect_port):
                assert http.get(base + "/readyz").status_code == 200
    finally:
        server.shutdown()
        sessions.kw["bind"].dispose()


class _health_server:
    """A stand-in Prefect server whose /api/health answers 200."""

    def __init__(self, port):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"true")

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)

    def __enter__(self):
        serve_in_thread(self.server)

    def __exit__(self, *_):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def json_log():
    """What the product logs meanwhile, as the parts write it (JSON lines)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.JsonLines())
    handler.addFilter(lambda record: not record.name.startswith("mail"))  # the test's own SMTP server
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def test_logs_are_json_lines_with_numbers_and_no_personal_data(world, json_log):
    from tests.integration.test_purge_scan import FILE_NAME, GROUNDS, NAME, PDF, PHONE
    from workflows.services.casework import evidence
    from workflows.store.cases import Case

    entry_id = world.entry_of("person")
    case_id = world.file("person", list_entry_id=entry_id, grounds=GROUNDS, contact_name=NAME, contact_phone=PHONE)
    world.query(lambda s: evidence.store(s, s.get(Case, case_id), [evidence.Upload(FILE_NAME, PDF)],
                                         world.actor("person"), world.config.upload_dir, world.config.max_upload_bytes))
    world.drain()
    world.act(case_id, "accept", "office")
    world.drain()
    world.act(case_id, "revoke", "court", reason=f"经核实，{NAME}（{PERSON_BLACK}）系被他人冒用身份。")
    world.drain()
    names = world.query(lambda s: set(s.scalars(select(Subject.name))) | set(s.scalars(select(Subject.code))))
    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    # the case's events (a delivery round has no case)
    events = [line for line in lines if line.get("message") == "event done" and line.get("flow") != "deliveries"]
    assert events and all(line["case"] == case_id and isinstance(line["event"], int) for line in events)
    assert {line["kind"] for line in events} >= {"file", "accept", "revoke"}
    leaked = [needle for needle in [*PERSONAL, *names] if needle and needle in text]
    assert not leaked, f"personal data in the logs: {leaked}"
