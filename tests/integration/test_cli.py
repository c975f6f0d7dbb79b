"""The `credit-cases` command line: once as a person would run it (a real subprocess), then each command's answers
through click's runner in this process (the same `main`, its arguments, exit codes and output)."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from webapp.cli import main

from tests.integration.calendar_files import CONTRADICTION_LINE, CONTRADICTORY_2098, GOOD_2098, WORKING_DAYS_2098


def run(args, database_url, tmp_path, stdin=None, **env):
    environment = {**os.environ, "CREDIT_CASES_DATABASE_URL": database_url,
                   "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "instance"), **env}
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], input=stdin, capture_output=True, text=True,
                          env=environment, timeout=120)


def invoke(args, database_url, tmp_path, stdin=None, **env):
    """A command run in this process; what it leaves behind (the umask its group sets) is put back."""
    environment = {"CREDIT_CASES_DATABASE_URL": database_url, "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "instance"),
                   **env}
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        return CliRunner().invoke(main, args, input=stdin, env=environment, catch_exceptions=False)
    finally:
        os.umask(umask)


def scalar(url, sql):
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(sql)).scalar()
    engine.dispose()
    return value


@pytest.fixture
def fresh_db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


@pytest.fixture
def migrated_db(tmp_path, sqlite_template):
    """What `credit-cases db upgrade` makes (test_upgrade_seed_and_user_add runs the command itself), without
    the suite's stand-in calendar years."""
    path = tmp_path / "cli.sqlite"
    shutil.copy(sqlite_template, path)
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM calendar_years")
    return f"sqlite:///{path}"


def test_upgrade_seed_and_user_add(fresh_db, tmp_path):
    assert run(["db", "upgrade"], fresh_db, tmp_path).returncode == 0
    seeded = run(["demo", "seed", "--if-empty"], fresh_db, tmp_path)
    assert seeded.returncode == 0 and "loaded" in seeded.stdout
    again = run(["demo", "seed", "--if-empty"], fresh_db, tmp_path)
    assert "not loaded" in again.stdout
    added = run(["user", "add", "wang", "--role", "listing_department", "--department", "SWJ", "--password-stdin"],
                fresh_db, tmp_path, stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert scalar(fresh_db, "SELECT count(*) FROM users WHERE username = 'wang'") == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["user", "add", "x", "--role", "wizard", "--password-stdin"], "unknown role 'wizard'"),
        (["user", "add", "x", "--role", "listing_department", "--password-stdin"], "department"),
        (["user", "add", "x", "--role", "applicant", "--subject", "91110000600037341A", "--password-stdin"], "subject"),
    ],
)
def test_user_add_refusals_name_the_problem(migrated_db, tmp_path, args, message):
    result = invoke(args, migrated_db, tmp_path, stdin="a-long-password\n")
    assert result.exit_code == 2 and message in result.stderr
    assert scalar(migrated_db, "SELECT count(*) FROM users") == 0


def test_calendar_import_good_and_bad(migrated_db, tmp_path):
    good = tmp_path / "2027.json"
    good.write_text(json.dumps({"year": 2027, "days_off": ["2027-01-01"], "working_days": ["2027-02-07"]}))
    result = invoke(["calendar", "import", str(good)], migrated_db, tmp_path)
    assert result.exit_code == 0 and "2027" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("date,type\n2028-01-01,off\n2028-01-01,working\n")
    refused = invoke(["calendar", "import", str(bad)], migrated_db, tmp_path)
    assert refused.exit_code == 2 and "row 3" in refused.stderr
    assert scalar(migrated_db, "SELECT count(*) FROM calendar_years") == 1


def test_calendar_import_takes_an_icalendar_file(migrated_db, tmp_path):
    assert "iCalendar" in invoke(["calendar", "import", "--help"], migrated_db, tmp_path).stdout
    bad = tmp_path / "2098-contradictory.ics"
    bad.write_text(CONTRADICTORY_2098, encoding="utf-8")
    refused = invoke(["calendar", "import", str(bad)], migrated_db, tmp_path)
    assert refused.exit_code == 2
    assert f"line {CONTRADICTION_LINE}: 2098-02-08 is both a day off and a working day" in refused.stderr
    assert scalar(migrated_db, "SELECT count(*) FROM calendar_years WHERE year = 2098") == 0
    good = tmp_path / "2098.ics"
    good.write_text(GOOD_2098, encoding="utf-8")
    result = invoke(["calendar", "import", str(good)], migrated_db, tmp_path)
    assert result.exit_code == 0 and "2098" in result.stdout, result.stderr
    stored = scalar(migrated_db, "SELECT working_days FROM calendar_years WHERE year = 2098")
    assert json.loads(stored) == WORKING_DAYS_2098


def test_sweep_now_only_in_testing_or_demo(migrated_db, tmp_path):
    # neither testing nor demo, whatever the suite runs with (a shifted suite sets both variables for its servers)
    refused = invoke(["sla", "sweep", "--now", "2026-10-31T00:00:00+08:00"], migrated_db, tmp_path,
                  CREDIT_CASES_TESTING="", CREDIT_CASES_TODAY="")
    assert refused.exit_code == 2 and "--now" in refused.stderr
    allowed = invoke(["sla", "sweep", "--now", "2026-10-31T00:00:00+08:00"], migrated_db, tmp_path, CREDIT_CASES_TESTING="true")
    assert allowed.exit_code == 0 and "0 timer(s) fired" in allowed.stdout
    malformed = invoke(["sla", "sweep", "--now", "yesterday"], migrated_db, tmp_path, CREDIT_CASES_TESTING="true")
    assert malformed.exit_code == 2 and "ISO-8601" in malformed.stderr
