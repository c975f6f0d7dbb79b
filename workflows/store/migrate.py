"""Apply the Alembic migrations in migrations/ to a database, and tell whether its schema is this code's."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .db import make_engine, private_sqlite_file

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
UPGRADE_COMMAND = "credit-cases db upgrade"


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """To the newest revision of every branch (features may add their tables on branches of their own)."""
    private_sqlite_file(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def heads() -> set[str]:
    return set(_scripts().get_heads())


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def revisions_of(connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def current_revisions(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        revisions = revisions_of(connection)
    engine.dispose()
    return revisions


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this code's migrations end at: the part must not start."""


def state_of(current: set[str]) -> str:
    """"current", "behind", "ahead" (a revision this code does not know, from a newer release) or "empty"."""
    if current == heads():
        return "current"
    if not current:
        return "empty"
    return "ahead" if current - known_revisions() else "behind"


def mismatch(current: set[str]) -> str:
    """What is wrong, with the command that fixes it; "" when the schema is this code's."""
    state, wanted = state_of(current), heads()
    at, need = ", ".join(sorted(current)) or "no schema", ", ".join(sorted(wanted))
    if state in ("behind", "empty"):
        return (f"the database schema is behind this code (database at {at}; code at {need}): "
                f"run `{UPGRADE_COMMAND}` first")
    if state == "ahead":
        return (f"the database schema is ahead of this code (database at {at}, unknown to this release; code at "
                f"{need}): run this part from the newer release, or downgrade the database with the newer "
                f"release's `credit-cases db downgrade`")
    return ""


def check_schema(url: str) -> None:
    """Raise SchemaMismatch, naming the command that fixes it, unless the database's schema is this code's."""
    problem = mismatch(current_revisions(url))
    if problem:
        raise SchemaMismatch(problem)
