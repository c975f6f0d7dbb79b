"""Fault tests: the real parts as processes, on PostgreSQL, with a real Prefect server, SMTP and platform receiver."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import need_postgres
from tests.receivers import HttpReceiver, SmtpServer

from tests.faults import stack


# the test that restarts the PostgreSQL server: last, since it drops every connection on the server
RESTART = "test_postgresql_restarted_under_load"


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.originalname == RESTART)  # stable: the others keep their order


@pytest.fixture
def wait_until_alone():
    """A call that waits until no other test run uses the PostgreSQL server: `make test` runs the main suite beside
    the fault tests and names, in CREDIT_CASES_RESTART_AFTER, a file it creates when the main suite has ended (so
    the restart reuses this run's Prefect server, and its parts are started while the main suite ends, instead of a
    run of its own after the suite)."""
    flag, parent = os.environ.get("CREDIT_CASES_RESTART_AFTER"), os.getppid()

    def wait() -> None:
        deadline = time.monotonic() + 3600
        while flag and not Path(flag).exists():
            if time.monotonic() > deadline or os.getppid() != parent:
                pytest.fail(f"the run that was to create {flag} ended or took over an hour without creating it")
            time.sleep(0.2)

    return wait


@pytest.fixture(scope="session")
def prefect(tmp_path_factory):
    """One real `prefect server start` on a free port for the fault tests (about 15 s to start)."""
    need_postgres()
    home = tmp_path_factory.mktemp("prefect-home")
    server = stack.prefect_server(home, tmp_path_factory.mktemp("prefect-logs")).start()
    try:
        stack.wait_http(stack.prefect_url(server) + "/health", 120, server)
        yield server
    finally:
        server.stop()


@pytest.fixture
def database():
    need_postgres()
    url = stack.create_database("cc_fault")
    yield url
    stack.drop_database(url)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def platform():
    with HttpReceiver(fail_first=1) as receiver:
        yield receiver


@pytest.fixture
def env(database, tmp_path, prefect, smtp, platform):
    return stack.product_env(database, tmp_path / "instance", prefect_api=stack.prefect_url(prefect),
                             smtp_port=smtp.port, platform_url=platform.url)


@pytest.fixture
def parts():
    """Processes started by a test, killed at its end (a failed wait shows the tail of their logs)."""
    started: list[stack.Proc] = []
    yield started
    for proc in started:
        if proc.alive():
            proc.kill9()  # nothing to finish gracefully: the test has reconciled (or failed) already
