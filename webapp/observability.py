"""The web app's part in watching the product: request latency by route, /metrics, /healthz, /readyz, JSON logs.

/healthz: the process answers (a supervisor restarts it when it does not). /readyz: the database answers
and its schema is this code's (a load balancer sends requests only then). /metrics: the Prometheus text.
These three are for the machines' network: the TLS proxy in deploy/ does not forward them.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

from flask import Blueprint, Flask, Response, g, jsonify, request
from sqlalchemy import text

from workflows.operations import logs, metrics
from workflows.store.migrate import mismatch, revisions_of

from .extensions import db

bp = Blueprint("ops", __name__)
UNMATCHED = "(unmatched)"


def init_app(app: Flask) -> None:
    config = app.config["CREDIT_CASES"]
    if not config.testing:
        logs.configure(config.log_format, part="web")

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def observe(response):
        started = g.pop("started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
            metrics.REQUEST_SECONDS.labels(route, request.method, str(response.status_code)).observe(
                time.perf_counter() - started)
        return response


@bp.route("/healthz")
def health():
    return jsonify({"status": "ok"})


@bp.route("/readyz")
def ready():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        problem = mismatch(revisions_of(db.session.connection()))
        checks["schema"] = problem or "ok"
    except Exception as error:  # noqa: BLE001 - not ready, and why (its class: no address in the answer)
        checks["database"] = f"not answering ({type(error).__name__})"
    ready_now = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready_now else "not ready", "checks": checks}
    return jsonify(body), 200 if ready_now else 503


@bp.route("/metrics")
def prometheus():
    body = metrics.exposition(lambda: nullcontext(db.session))
    return Response(body, content_type=metrics.CONTENT_TYPE)
