"""Benchmark fixtures: PostgreSQL databases of the benchmarks' own, a real Prefect server, receivers.

Every benchmark writes its figures through `perfdoc.record`; the table in docs/performance.md is
rewritten when the session ends.
"""
from __future__ import annotations

import pytest

from tests.conftest import need_postgres
from tests.faults import stack
from tests.receivers import HttpReceiver, SmtpServer

from tests.bench import perfdoc


def pytest_sessionfinish(session, exitstatus):
    perfdoc.write()


@pytest.fixture(scope="module")
def bench_database():
    """A fresh PostgreSQL database `cc_bench_*`, dropped afterwards."""
    need_postgres()
    url = stack.create_database("cc_bench")
    yield url
    stack.drop_database(url)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real Prefect server on a PostgreSQL database of its own, as production runs it (docs/operations.md): on
    SQLite its background services and the worker's calls queue for one write lock."""
    need_postgres()
    home = tmp_path_factory.mktemp("prefect-home")
    database = stack.create_empty_database("cc_prefect_bench")
    server = stack.prefect_server(home, tmp_path_factory.mktemp("prefect-logs"), database=database).start()
    try:
        stack.wait_http(stack.prefect_url(server) + "/health", 180, server)
        yield server
    finally:
        server.stop()
        stack.drop_database(database)


@pytest.fixture(scope="module")
def receivers():
    with SmtpServer() as smtp, HttpReceiver() as platform:
        yield smtp, platform
