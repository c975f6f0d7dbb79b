"""A database the previous release made upgrades to this one with `credit-cases db upgrade`, and stays true.

The fixture (fixtures/previous_release.json.gz, built by build_release_fixture.py with the release's own code and
services) holds a row in every table of the release's schema. The test migrates an empty database to the
release's revisions with the migrations of this checkout (a release's migrations are never changed afterwards),
loads the rows as they were, runs the upgrade command, then checks: the schema is this code's, the audit chain
verifies, no row is lost, the lists are true, and the app serves the upgraded cases.
"""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, Table, create_engine, func, inspect, select

from tests.conftest import DEMO_PASSWORD, make_app
from tests.integration.list_rules import lists_are_true
from tests.upgrade.previous_release import at_release, decode, load, release
from webapp.cli import main
from webapp.extensions import db
from workflows.store.cases import Case
from workflows.store.db import make_session_factory
from workflows.store.migrate import SchemaMismatch, check_schema, current_revisions, heads




def invoke(args, url, tmp_path):
    environment = {"CREDIT_CASES_DATABASE_URL": url, "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "instance")}
    return CliRunner().invoke(main, args, env=environment, catch_exceptions=False)


def primary_keys(connection, name: str) -> set[tuple]:
    table = Table(name, MetaData(), autoload_with=connection)
    keys = list(table.primary_key.columns) or list(table.columns)
    return {tuple(row) for row in connection.execute(select(*keys))}


def test_the_fixture_has_a_row_in_every_table_of_the_release_schema(tmp_path):
    """So that the fixture cannot lose a table unnoticed: the release's schema, and a row in each of its tables."""
    url = f"sqlite:///{tmp_path / 'release.sqlite'}"
    at_release(url)
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert set(release()["tables"]) == tables
    assert [name for name in sorted(tables) if not release()["tables"][name]] == []
    assert re.fullmatch(r"[0-9a-f]{7,40}", release()["release"])
    assert set(release()["heads"]) != heads()  # a previous release: something to upgrade


def test_a_database_of_the_previous_release_upgrades_and_stays_true(blank_database, tmp_path):
    at_release(blank_database)
    load(blank_database)
    with pytest.raises(SchemaMismatch, match="credit-cases db upgrade"):
        check_schema(blank_database)

    result = invoke(["db", "upgrade"], blank_database, tmp_path)
    assert result.exit_code == 0, result.output
    check_schema(blank_database)
    assert current_revisions(blank_database) == heads()
    result = invoke(["audit", "verify"], blank_database, tmp_path)
    assert result.exit_code == 0, result.output

    engine = create_engine(blank_database)
    with engine.connect() as connection:
        for name, rows in release()["tables"].items():
            table = Table(name, MetaData(), autoload_with=connection)
            keys = list(table.primary_key.columns) or list(table.columns)
            loaded = {tuple(decode(row[key.name]) for key in keys) for row in rows}
            assert loaded <= primary_keys(connection, name), name
            assert connection.scalar(select(func.count()).select_from(table)) >= len(rows), name
    engine.dispose()

    sessions = make_session_factory(blank_database)
    with sessions() as session:
        assert lists_are_true(session)
        case_ids = session.scalars(select(Case.id).order_by(Case.id)).all()
        assert {p for (p,) in session.execute(select(Case.process).distinct())} == {
            "objection", "repair_exit", "conditional_acceptance", "redlist_removal"}
    sessions.kw["bind"].dispose()

    app = make_app(blank_database, tmp_path / "instance")
    client = app.test_client()
    assert client.post("/login", data={"username": "office", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/inbox").status_code == 200
    for case_id in case_ids:
        assert client.get(f"/cases/{case_id}").status_code == 200, case_id
    client.post("/logout")
    assert client.post("/login", data={"username": "person", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/cases").status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
