"""The `credit-cases` command line (interface.md, "Command line")."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from workflows.config import Config
from workflows.domain.errors import DomainError


@contextmanager
def app_session():
    """A Flask app context and its session; commits on success, rolls back on error."""
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    with app.app_context():
        try:
            yield app, db.session
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


def fail(error: DomainError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


DATABASE_WAIT_SECONDS = 120


def schema_is_current(config: Config) -> None:
    """A part starts only on a database whose schema is its code's; otherwise it says which command fixes that.
    A database that does not answer yet (starting, restarting) is waited for: a part started beside it must not
    die of it, as it would not once running."""
    import time

    from sqlalchemy.exc import OperationalError

    from workflows.store.migrate import SchemaMismatch, check_schema

    deadline = time.monotonic() + DATABASE_WAIT_SECONDS
    while True:
        try:
            check_schema(config.database_url)
            return
        except SchemaMismatch as mismatch:
            click.echo(f"error: {mismatch}", err=True)
            sys.exit(3)
        except OperationalError:
            if time.monotonic() > deadline:
                click.echo("error: the database does not answer", err=True)
                sys.exit(4)
            time.sleep(1)


@click.group()
def main() -> None:
    """credit-cases: objection, credit repair, green channel and red-list removal cases."""
    import os

    os.umask(0o077)  # whatever a command creates (database, WAL, uploads, logs) is the service user's alone


@main.command()
def up() -> None:
    """Migrate, seed demo data if empty, start Prefect, worker, scheduler and web app; Ctrl-C stops all."""
    from webapp.up import run_embedded

    sys.exit(run_embedded(Config.from_env(demo=True)))


@main.command()
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
def web(workers: int) -> None:
    """Serve the web app and API with gunicorn."""
    import os

    from workflows.operations.logs import ACCESS_LOG_FORMAT

    config = Config.from_env()
    schema_is_current(config)
    from workflows.operations.metrics import fresh_metrics_folder

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(fresh_metrics_folder(config.instance_path))
    log_format = ["--access-logformat", ACCESS_LOG_FORMAT] if config.log_format == "json" else []
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{config.host}:{config.port}",
         "--access-logfile", "-", *log_format, "webapp:create_app()"],
    )


@main.command()
def worker() -> None:
    """Run the automation worker: claims outbox events and runs the process flows for them."""
    from workflows.automation.worker import run_forever

    config = Config.from_env()
    schema_is_current(config)
    run_forever(config)


@main.command()
def scheduler() -> None:
    """Run the APScheduler jobs (SLA timer sweep); with two schedulers, one sweeps and the other stands by."""
    from workflows.automation.scheduler import run_forever

    config = Config.from_env()
    schema_is_current(config)
    run_forever(config)


@main.command()
def settings() -> None:
    """Print every setting as an environment file (EnvironmentFile= of the systemd units), with its default."""
    from workflows.config import environment_file

    click.echo(environment_file(), nl=False)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations."""
    from workflows.store.migrate import upgrade

    config = Config.from_env()
    upgrade(config.database_url)
    click.echo("database is up to date")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (`base`: every one); run it with the release whose migrations they are."""
    from workflows.store.migrate import downgrade

    downgrade(Config.from_env().database_url, revision)
    click.echo(f"database downgraded to {revision}")


@db.command("check")
def db_check() -> None:
    """Exit 0 if the schema is this code's; else say what to run, and exit 3."""
    schema_is_current(Config.from_env())
    click.echo("database schema is current")


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="only when the database has no users yet")
@click.option("--story/--no-story", default=True, show_default=True,
              help="also a month of cases in every state, so every role's first page shows work")
def demo_seed(if_empty: bool, story: bool) -> None:
    """Load the demo data set (departments, users of every role, subjects on every list, a month of cases)."""
    from workflows.demo import seed
    from workflows.demo_story import seed_story

    with app_session() as (app, session):
        if (created := seed(session, only_if_empty=if_empty)) and story:
            seed_story(session, app.config["CREDIT_CASES"])
    click.echo("demo data loaded" if created else "database not empty: demo data not loaded")


@main.group()
def user() -> None:
    """User accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="may be given more than once")
@click.option("--department", default=None, help="department code, for department roles")
@click.option("--subject", default=None, help="credit code, for applicants")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_add(name: str, roles: tuple[str, ...], department: str | None, subject: str | None, password_stdin: bool) -> None:
    """Create a user; prompts for the password unless --password-stdin."""
    from workflows.domain.process import Actor
    from workflows.services.admin import accounts

    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        with app_session() as (_, session):
            accounts.create_user(session, username=name, password=password, roles=list(roles),
                                 department_code=department, subject_code=subject, actor=Actor.system("cli"))
    except DomainError as error:
        fail(error)
    click.echo(f"user {name} created")


@main.group()
def sla() -> None:
    """SLA timers."""


@sla.command("sweep")
@click.option("--now", "now_text", default=None, help="ISO-8601 instant; only in testing or demo configuration")
def sla_sweep(now_text: str | None) -> None:
    """Fire due timers once."""
    from datetime import UTC, datetime

    from workflows.automation.sweep import sweep

    config = Config.from_env()
    now = None
    if now_text:
        if not (config.testing or config.demo):
            click.echo("error: --now is honoured only when CREDIT_CASES_TESTING or CREDIT_CASES_DEMO is set", err=True)
            sys.exit(2)
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            click.echo(f"error: --now: '{now_text}' is not an ISO-8601 instant", err=True)
            sys.exit(2)
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    with app_session() as (_, session):
        fired = sweep(session, now=now)
    click.echo(f"{fired} timer(s) fired")


@main.group()
def calendar() -> None:
    """The working-day calendar."""


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_import(file: Path) -> None:
    """Load a year's holiday arrangement (JSON, CSV or iCalendar .ics); it takes precedence over the packaged data."""
    from workflows.domain.process import Actor
    from workflows.services.admin.calendar_imports import import_arrangement

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        click.echo(f"error: {file.name}: not a UTF-8 text file", err=True)
        sys.exit(2)
    try:
        with app_session() as (_, session):
            row = import_arrangement(session, text, file.name, Actor.system("cli"))
            year = row.year
    except DomainError as error:
        fail(error)
    click.echo(f"calendar for {year} imported: it now takes precedence over the packaged data")


@main.group()
def audit() -> None:
    """The tamper-evident history."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the history's hash chain; prints OK or the first broken row, and exits 1 if broken."""
    from workflows.services.admin.audit import verify

    with app_session() as (_, session):
        verdict = verify(session)
    click.echo(verdict.describe())
    sys.exit(0 if verdict.ok else 1)


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    """Write the database, the upload folder and the erasure log into one archive (TARGET: a folder or a file)."""
    from workflows.operations.backup import BackupError
    from workflows.operations.backup import backup as make_backup

    try:
        archive = make_backup(Config.from_env(), target)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"backup written: {archive}")


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="replace the database and the uploads without asking")
def restore(archive: Path, yes: bool) -> None:
    """Replace the database and the uploads with an archive's, erase again what the erasure log names, verify.

    Stop the web app, the workers and the scheduler first. Exits 1 if the restored history does not verify."""
    from workflows.operations.backup import BackupError
    from workflows.operations.backup import restore as restore_archive

    config = Config.from_env()
    if not yes:
        click.confirm(f"replace the database and {config.upload_dir} with {archive.name}?", abort=True)
    try:
        report = restore_archive(config, archive)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(report.describe())
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
