"""An operator's product: the settings file matches the code's settings, the parts refuse a database whose schema
is not theirs (naming the command that fixes it), and every migration can be undone and done again."""
from __future__ import annotations

import ast
import os
import re
import shutil
import sqlite3
from dataclasses import fields
from pathlib import Path
from unittest import mock

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from webapp import cli
from workflows.config import HELP, PREFIX, Config, environment_file
from workflows.store.migrate import MIGRATIONS, downgrade, upgrade

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def run(args, database_url, tmp_path):
    """The command in this process (a subprocess spends seconds importing the app; test_operations_doc runs them so)."""
    env = {"CREDIT_CASES_DATABASE_URL": database_url, "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "instance")}
    return CliRunner().invoke(cli.main, args, env=env)


# --- 1. the parts as an operator installs them ---------------------------------------------------------


def test_the_environment_file_is_the_code_s_settings():
    shipped = (DEPLOY / "credit-cases.env").read_text()
    assert shipped == environment_file(), "deploy/credit-cases.env is stale: `credit-cases settings > deploy/credit-cases.env`"
    assigned = re.findall(r"^(CREDIT_CASES_[A-Z_]+)=", shipped, re.M)
    assert sorted(assigned) == sorted(PREFIX + f.name.upper() for f in fields(Config))  # each once, none missing
    assert set(HELP) == {f.name for f in fields(Config)}


def test_the_environment_file_s_values_are_the_defaults(tmp_path, monkeypatch):
    for name, value in re.findall(r"^(CREDIT_CASES_[A-Z_]+)=(.*)$", environment_file(), re.M):
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    config = Config.from_env()
    for f in fields(Config):
        if f.name not in ("instance_path", "database_url", "secret_key"):  # made from the instance folder
            assert getattr(config, f.name) == f.default, f.name
    assert config.instance_path == tmp_path / "instance"


def test_the_units_run_the_parts_with_the_environment_file():
    units = {p.name: p.read_text() for p in DEPLOY.glob("*.service")}
    assert set(units) == {"credit-cases-web.service", "credit-cases-worker@.service",
                          "credit-cases-scheduler.service", "prefect-server.service"}
    for name, part in (("credit-cases-web.service", "web"), ("credit-cases-worker@.service", "worker"),
                       ("credit-cases-scheduler.service", "scheduler")):
        assert "EnvironmentFile=/etc/credit-cases/credit-cases.env" in units[name]
        assert re.search(rf"^ExecStart=\S+/credit-cases {part}\b", units[name], re.M), name
        assert "RestartPreventExitStatus=3" in units[name]  # a schema mismatch: restarting does not help
    assert "CREDIT_CASES_WORKER_PORT=%i" in units["credit-cases-worker@.service"]
    assert "PREFECT_API_DATABASE_CONNECTION_URL=postgresql" in (DEPLOY / "prefect.env").read_text()
    assert_prefect_tuned((DEPLOY / "prefect.env").read_text())
    assert "location ~ ^/(metrics|healthz|readyz)$" in (DEPLOY / "nginx-credit-cases.conf").read_text()


def assert_prefect_tuned(env_file: str) -> None:
    """The deployed Prefect server has the embedded one's settings for the product's load (ADR 0013), and
    Prefect reads them as meant: a retention rule for its flow runs, the task-run recorder batching."""
    from prefect.settings import Settings

    from webapp.supervisor import PREFECT_SERVER_TUNING

    deployed = dict(line.split("=", 1) for line in env_file.splitlines() if line and not line.startswith("#"))
    assert {k: deployed.get(k) for k in PREFECT_SERVER_TUNING} == PREFECT_SERVER_TUNING
    with mock.patch.dict(os.environ, PREFECT_SERVER_TUNING):
        services = Settings().server.services
    assert "flow_runs" in services.db_vacuum.enabled and services.db_vacuum.retention_period.days == 7
    assert services.task_run_recorder.batch_size == 50


# --- 2. upgrades ---------------------------------------------------------------------------------------


def test_the_parts_refuse_a_schema_behind_or_ahead(tmp_path, sqlite_template):
    old = tmp_path / "old.sqlite"
    shutil.copy(sqlite_template, old)
    url = f"sqlite:///{old}"
    downgrade(url, "0009_notice_params@-1")
    for part in ("worker", "scheduler", "web"):
        refused = run([part], url, tmp_path)
        assert refused.exit_code == 3, (part, refused.output)
        assert "behind" in refused.stderr and "`credit-cases db upgrade`" in refused.stderr, refused.stderr
    assert run(["db", "upgrade"], url, tmp_path).exit_code == 0
    assert run(["db", "check"], url, tmp_path).stdout.strip() == "database schema is current"
    with sqlite3.connect(old) as connection:  # as a newer release leaves it
        connection.execute("INSERT INTO alembic_version VALUES ('9999_from_a_newer_release')")
    ahead = run(["db", "check"], url, tmp_path)
    assert ahead.exit_code == 3 and "ahead" in ahead.stderr and "9999_from_a_newer_release" in ahead.stderr


def tables(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    inspector = inspect(engine)
    found = {name: sorted(c["name"] for c in inspector.get_columns(name)) for name in inspector.get_table_names()}
    engine.dispose()
    return found




def test_every_migration_is_undone_and_done_again(blank_database):
    upgrade(blank_database)
    migrated = tables(blank_database)
    downgrade(blank_database, "base")
    assert set(tables(blank_database)) <= {"alembic_version"}, "tables left after downgrading to base"
    upgrade(blank_database)
    assert tables(blank_database) == migrated


def test_every_migration_has_a_downgrade_or_says_why_not():
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        downgrades = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "downgrade"]
        empty = not downgrades or all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                                      for s in downgrades[0].body)
        if empty:
            assert "irreversible" in (ast.get_docstring(module) or "").lower(), \
                f"{path.name}: no downgrade, and its docstring does not say why it is irreversible"


def test_a_web_machine_restarting_keeps_the_other_machines_metrics(tmp_path):
    """Several web machines may share the instance folder: each empties only its own metrics folder at start."""
    from workflows.operations.metrics import fresh_metrics_folder

    other = fresh_metrics_folder(tmp_path, "web-b")
    (other / "counter_1.db").write_bytes(b"theirs")
    mine = fresh_metrics_folder(tmp_path, "web-a")
    (mine / "counter_2.db").write_bytes(b"mine, before the restart")
    assert fresh_metrics_folder(tmp_path, "web-a") == mine and not any(mine.iterdir())
    assert (other / "counter_1.db").read_bytes() == b"theirs"
