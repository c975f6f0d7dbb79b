"""schemathesis against the OpenAPI document the app serves, in-process (WSGI), with every role's token.

Every generated request is sent once per demo user and once without a token: no response may be a
5xx, and every response must match the schema documented for its status code (content type and
status code documented too). `make soak` runs the same with many more examples.
"""
from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.conftest import DEMO_PASSWORD, truncate_pg, make_app
from tests.integration.access_table import USERS, build_world

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api_world(request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("schemathesis")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp / "app.sqlite")
        url = f"sqlite:///{tmp / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        truncate_pg(url)
    app = make_app(url, tmp / "instance")
    with app.app_context():
        build_world(app)
    client = app.test_client()
    tokens = {user: client.post("/api/v1/auth/token", json={"username": user, "password": DEMO_PASSWORD}).json["token"]
              for user in USERS}
    tokens["anonymous"] = None
    yield app, tokens
    from webapp.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_schemathesis(app, tokens: dict, examples: int) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        calls = iter(range(10**9))

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def check(case):
            # an operation's first example as every role, each later one as a third of them in turn: every role
            # meets every operation, and the generated inputs are spread over the roles
            call = next(calls)
            roles = list(tokens.items())
            for role, token in roles if call == 0 else roles[call % 3::3]:
                response = case.call(headers={"Authorization": f"Bearer {token}"} if token else {})
                case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as error:  # noqa: BLE001 - every operation's failure is reported together
            failures.append(f"{operation.label}: {str(error)[:3000]}")
    return failures


@pytest.mark.one_database  # the API's answers to odd input and their schema: the same on both databases
def test_no_5xx_and_every_response_matches_its_schema(api_world):
    app, tokens = api_world
    failures = run_schemathesis(app, tokens, examples=3)
    assert not failures, "\n\n".join(failures)


@pytest.mark.soak
def test_no_5xx_and_every_response_matches_its_schema_soak(api_world):
    app, tokens = api_world
    failures = run_schemathesis(app, tokens, examples=100)
    assert not failures, "\n\n".join(failures)
