"""The history is a hash chain: a row changed, removed or forged directly in the database is found."""
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from workflows.domain.process import Actor
from workflows.services.admin import audit
from workflows.services.casework import history
from workflows.store.db import make_session_factory
from workflows.store.migrate import alembic_config, upgrade
from workflows.store.models import AppendOnlyViolation, HistoryEntry


def run_verify(url, tmp_path):
    environment = {**os.environ, "CREDIT_CASES_DATABASE_URL": url, "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "i")}
    return subprocess.run([sys.executable, "-m", "webapp.cli", "audit", "verify"], capture_output=True, text=True,
                          env=environment, timeout=120)


def bypass_guards(url, sql, **params):
    """What a person with the database's owner rights could do: switch the append-only trigger off."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE history DISABLE TRIGGER history_no_update"))
            connection.execute(text(sql), params)
            connection.execute(text("ALTER TABLE history ENABLE TRIGGER history_no_update"))
        else:
            connection.execute(text("DROP TRIGGER history_no_update"))
            connection.execute(text("DROP TRIGGER history_no_delete"))
            connection.execute(text(sql), params)
    engine.dispose()


def middle_row(db_session):
    ids = db_session.scalars(select(HistoryEntry.id).order_by(HistoryEntry.id)).all()
    assert len(ids) > 10
    return ids[len(ids) // 2], ids[len(ids) // 2 + 1]


def test_every_row_is_chained_and_verify_says_ok(seeded, db_session, database_url, tmp_path):
    rows = db_session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
    result = run_verify(database_url, tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("OK"), result.stdout + result.stderr


def test_verify_finds_a_reason_changed_directly_in_the_database(seeded, db_session, database_url, tmp_path):
    target, _ = middle_row(db_session)
    bypass_guards(database_url, "UPDATE history SET reason = 'forged' WHERE id = :id", id=target)
    result = run_verify(database_url, tmp_path)
    assert result.returncode == 1
    assert f"BROKEN at history row #{target}" in result.stdout and "actor, reason or data" in result.stdout


@pytest.mark.parametrize("sql, broken, words", [
    ("UPDATE history SET to_state = 'closed' WHERE id = :id", 0, "content was changed"),
    ("UPDATE history SET personal_digest = :fake WHERE id = :id", 0, "reason or data were changed"),
    ("DELETE FROM history WHERE id = :id", 1, "link to the previous row"),
])
def test_verify_finds_changed_and_removed_rows(seeded, db_session, database_url, sql, broken, words):
    rows = middle_row(db_session)
    bypass_guards(database_url, sql, id=rows[0], fake="f" * 64)
    db_session.expire_all()
    verdict = audit.verify(db_session)
    assert not verdict.ok and verdict.broken_id == rows[broken] and words in verdict.problem


def test_the_database_refuses_changes_but_a_recorded_redaction_keeps_the_chain(seeded, db_session, database_url):
    target, _ = middle_row(db_session)
    engine = create_engine(database_url)
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text("UPDATE history SET reason = 'x' WHERE id = :id"), {"id": target})
    with pytest.raises(Exception, match="append-only"):  # a fake redaction that also moves a state
        with engine.begin() as connection:
            connection.execute(text("UPDATE history SET redacted_at = created, to_state = 'x' WHERE id = :id"
                                    .replace("created", "at")), {"id": target})
    engine.dispose()
    row = db_session.get(HistoryEntry, target)
    row.reason = "changed through the ORM"
    with pytest.raises(AppendOnlyViolation):
        db_session.flush()
    db_session.rollback()
    assert audit.redact(db_session, [target], Actor.system("test"), "objection_upheld") == 1
    db_session.commit()
    redacted = db_session.get(HistoryEntry, target)
    assert redacted.reason == "" and redacted.data == {} and redacted.redacted_at is not None
    assert audit.verify(db_session).ok


def test_a_redaction_nobody_recorded_is_found(seeded, db_session, database_url):
    target, _ = middle_row(db_session)
    engine = create_engine(database_url)
    with engine.begin() as connection:  # the trigger lets a redaction through; the history must name it
        connection.execute(text("UPDATE history SET reason = '', redacted_at = at WHERE id = :id"), {"id": target})
    engine.dispose()
    db_session.expire_all()
    verdict = audit.verify(db_session)
    assert verdict.broken_id == target and "no redaction entry" in verdict.problem


def test_concurrent_writers_never_chain_to_the_same_row(seeded, database_url):
    factory = make_session_factory(database_url)
    barrier = threading.Barrier(4)
    errors = []

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(10):
                with factory() as session:
                    for k in range(2):
                        history.record(session, actor=Actor.system("test"), action="probe", entity_type="test",
                                       entity_id=f"{worker}-{n}-{k}")
                    session.commit()
        except Exception as error:  # noqa: BLE001 - collected and shown below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with factory() as session:
        assert session.scalar(select(func.count()).where(HistoryEntry.action == "probe")) == 80
        links = session.scalars(select(HistoryEntry.prev_hash)).all()
        assert len(links) == len(set(links)), "two rows chained to the same predecessor"
        assert audit.verify(session).ok
    factory.kw["bind"].dispose()


def test_the_migration_chains_the_rows_already_there(seeded, database_url):
    from alembic import command

    command.downgrade(alembic_config(database_url), "0008_audit@-1")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        columns = [c[1] for c in connection.execute(text("SELECT * FROM history LIMIT 0")).cursor.description] \
            if engine.dialect.name == "postgresql" else [r[1] for r in connection.execute(text("PRAGMA table_info(history)"))]
    engine.dispose()
    assert "row_hash" not in columns
    upgrade(database_url)
    factory = make_session_factory(database_url)
    with factory() as session:
        assert session.scalar(select(func.count()).where(HistoryEntry.row_hash.is_(None))) == 0
        assert audit.verify(session).ok
    factory.kw["bind"].dispose()


def test_history_written_in_bulk_is_chained_too(seeded, db_session):
    """The bulk import inserts its history rows in one statement, not through the ORM: chained the same way."""
    from datetime import date

    from workflows.demo import enterprise_code
    from workflows.services.lists.bulk_import import import_listings

    header = "subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures\n"
    rows = "".join(f"{enterprise_code(f'91440400{n:09d}')},某公司{n},black,某条例第十条,文号{n},2026-11-01,2028-11-01,"
                   "P-PROC;P-FIN\n" for n in range(5))
    history.record(db_session, actor=Actor.system("test"), action="probe", entity_type="test", entity_id="before")
    import_listings(db_session, "listings.csv", (header + rows).encode(), Actor.system("test"),
                    department_code="SCJGJ", today=date(2026, 11, 20))
    history.record(db_session, actor=Actor.system("test"), action="probe", entity_type="test", entity_id="after")
    db_session.commit()
    assert db_session.scalar(select(func.count()).where(HistoryEntry.row_hash.is_(None))) == 0
    assert db_session.scalar(select(func.count()).where(HistoryEntry.action == "apply_measure")) > 10
    verdict = audit.verify(db_session)
    assert verdict.ok, verdict.describe()
