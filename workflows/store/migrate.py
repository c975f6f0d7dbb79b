"""Apply the Alembic migrations in migrations/ to a database."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from .db import make_engine, private_sqlite_file

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """To the newest revision of every branch (features may add their tables on branches of their own)."""
    private_sqlite_file(url)
    command.upgrade(alembic_config(url), revision)


def heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current_revisions(url: str) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    with engine.connect() as connection:
        revisions = set(MigrationContext.configure(connection).get_current_heads())
    engine.dispose()
    return revisions
