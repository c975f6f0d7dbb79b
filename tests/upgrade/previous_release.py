"""The previous release's database: its schema (the release's heads) and its rows (fixtures/previous_release.json.gz).

Shared by the upgrade test and the upgrade benchmark (tests/bench/test_upgrade_bench.py).
"""
from __future__ import annotations

import base64
import gzip
import json
from datetime import date, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, create_engine, text

from workflows.store.base import Base
from workflows.store.migrate import current_revisions, upgrade

FIXTURE = Path(__file__).parent / "fixtures" / "previous_release.json.gz"


@cache
def release() -> dict:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def decode(value):
    if isinstance(value, dict):
        if value.keys() == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if value.keys() == {"$date"}:
            return date.fromisoformat(value["$date"])
        if value.keys() == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def at_release(url: str) -> None:
    """The release's schema: each of its heads, with the migrations of this checkout."""
    for revision in release()["heads"]:
        upgrade(url, revision)
    assert current_revisions(url) == set(release()["heads"])


def load(url: str) -> None:
    """The release's rows, as they were (ids included), into the tables as the release left them: each column
    read and written with this code's type where the column is still the model's (aware date-times, JSON)."""
    engine = create_engine(url)
    reflected = MetaData()
    reflected.reflect(bind=engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # the rows are whole: no order of the foreign keys to keep
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        # what the migrations put in (configuration stamps) gives way to the release's rows; the stamps last,
        # since the triggers of the tables they stamp write them too
        for name in sorted(release()["tables"], key=lambda name: name == "config_stamps"):
            rows = release()["tables"][name]
            model = Base.metadata.tables.get(name)
            columns = [Column(c.name, model.c[c.name].type if model is not None and c.name in model.c else c.type)
                       for c in reflected.tables[name].columns]
            table = Table(name, MetaData(), *columns)
            connection.execute(table.delete())
            connection.execute(table.insert(), [{key: decode(value) for key, value in row.items()} for row in rows])
        if engine.dialect.name == "postgresql":  # the identities go on after the loaded ids
            for name in release()["tables"]:
                sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}) \
                    if "id" in reflected.tables[name].c else None
                if sequence:
                    connection.execute(text(f"SELECT setval('{sequence}', (SELECT max(id) FROM {name}))"))
    engine.dispose()
