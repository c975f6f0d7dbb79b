"""Fault tests: the real parts as processes, on PostgreSQL, with a real Prefect server, SMTP and platform receiver."""
from __future__ import annotations


import pytest

from tests.conftest import missing, need_postgres
from tests.receivers import HttpReceiver, SmtpServer

from tests.faults import stack


@pytest.fixture
def private_postgres():
    """A PostgreSQL server of the test's own, to restart under load while the other tests use the machine's."""
    need_postgres()
    programs = stack.postgres_programs()
    if programs is None:
        missing("PostgreSQL's own programs (initdb, pg_ctl)", "not installed")
    server = stack.PrivatePostgres(programs).start()
    yield server
    server.remove()


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
def env_for(tmp_path, prefect, smtp, platform):
    """The parts' environment for a database: this run's Prefect server, SMTP server and platform receiver."""
    return lambda database: stack.product_env(database, tmp_path / "instance", prefect_api=stack.prefect_url(prefect),
                                              smtp_port=smtp.port, platform_url=platform.url)


@pytest.fixture
def env(database, env_for):
    return env_for(database)


@pytest.fixture
def parts():
    """Processes started by a test, killed at its end (a failed wait shows the tail of their logs)."""
    started: list[stack.Proc] = []
    yield started
    for proc in started:
        if proc.alive():
            proc.kill9()  # nothing to finish gracefully: the test has reconciled (or failed) already
