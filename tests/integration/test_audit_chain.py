"""The history is a hash chain: a row changed, removed or forged directly in the database is found."""
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

from webapp.cli import main
from workflows.domain.process import Actor
from workflows.services.admin import audit
from workflows.services.casework import history
from workflows.store.db import make_session_factory
from workflows.store.migrate import alembic_config, upgrade
from workflows.store import audit_chain
from workflows.store.cases import Case
from workflows.store.models import AppendOnlyViolation, HistoryEntry


def run_verify(url, tmp_path):
    """`credit-cases audit verify`, run in this process (test_cli runs the command line as a process)."""
    environment = {"CREDIT_CASES_DATABASE_URL": url, "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "i")}
    return CliRunner().invoke(main, ["audit", "verify"], env=environment)


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


def cases_with_history(db_session, count: int = 2) -> list[int]:
    """Objection cases run through file, accept, confirm and close: four history rows each, in the case's chain."""
    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import cases
    from workflows.services.casework.actors import actor_for
    from workflows.store.models import ListEntry

    applicant, office, provider = (actor_for(find_user(db_session, name)) for name in ("applicant", "office", "provider"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)
                                 .order_by(ListEntry.id))
    made = []
    for _ in range(count):
        case_id = cases.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id,
                                                                      "grounds": "该行政处罚已于2026年3月撤销，列入依据不存在。"}).id
        cases.take_action(db_session, case_id, "accept", office)
        cases.take_action(db_session, case_id, "confirm", provider, {"reason": "经核实，原处罚决定有效。"})
        cases.take_action(db_session, case_id, "close", Actor.system())
        db_session.commit()
        made.append(case_id)
    return made


def chains(db_session) -> dict[str, list[HistoryEntry]]:
    by_chain: dict[str, list[HistoryEntry]] = {}
    for row in db_session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)):
        by_chain.setdefault(row.chain, []).append(row)
    return by_chain


def middle_row(db_session):
    """A row in the middle of the history that has a row after it in its own chain, and that row."""
    rows = db_session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()
    assert len(rows) > 10
    for row in rows[len(rows) // 2:]:
        later = [r for r in rows if r.chain == row.chain and r.id > row.id]
        if later:
            return row.id, later[0].id
    raise AssertionError("no chain with two rows")


def test_every_row_is_chained_and_verify_says_ok(seeded, db_session, database_url, tmp_path):
    cases_with_history(db_session)
    by_chain = chains(db_session)
    assert any(name.startswith("case:") for name in by_chain) and audit_chain.OTHER in by_chain
    for name, rows in by_chain.items():
        assert rows[0].prev_hash == "0" * 64, name
        assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:])), name
        if name.startswith("case:"):  # the case row keeps its chain's head
            assert db_session.get(Case, int(name[5:])).chain_head == rows[-1].row_hash
        assert all(row.case_id == (int(name[5:]) if name.startswith("case:") else None) for row in rows)
    result = run_verify(database_url, tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith("OK"), result.output


def test_verify_finds_a_reason_changed_directly_in_the_database(seeded, db_session, database_url, tmp_path):
    target, _ = middle_row(db_session)
    bypass_guards(database_url, "UPDATE history SET reason = 'forged' WHERE id = :id", id=target)
    result = run_verify(database_url, tmp_path)
    assert result.exit_code == 1, result.output
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


def all_at_once(write, arguments: list[tuple]) -> None:
    """`write(*args)` in a thread for each of `arguments`, all released together; none may fail."""
    barrier, errors = threading.Barrier(len(arguments)), []

    def run(*args) -> None:
        try:
            barrier.wait()
            write(*args)
        except Exception as error:  # noqa: BLE001 - collected and shown below
            errors.append(error)

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def assert_chained_in_line(session, probes: int) -> None:
    """Every probe row written, no two rows of a chain linked to the same predecessor, and verify says OK."""
    assert session.scalar(select(func.count()).where(HistoryEntry.action == "probe")) == probes
    links = session.execute(select(HistoryEntry.chain, HistoryEntry.prev_hash)).all()
    assert len(links) == len(set(links)), "two rows chained to the same predecessor"
    verdict = audit.verify(session)
    assert verdict.ok, verdict.describe()


def test_concurrent_writers_never_chain_to_the_same_row(seeded, database_url):
    factory = make_session_factory(database_url)

    def write(worker: int) -> None:
        for n in range(10):
            with factory() as session:
                for k in range(2):
                    history.record(session, actor=Actor.system("test"), action="probe", entity_type="test",
                                   entity_id=f"{worker}-{n}-{k}")
                session.commit()

    all_at_once(write, [(w,) for w in range(4)])
    with factory() as session:
        assert_chained_in_line(session, 80)
    factory.kw["bind"].dispose()


def test_the_migration_chains_the_rows_already_there(seeded, database_url):
    from alembic import command

    command.downgrade(alembic_config(database_url), "0008_audit@-1")  # the first rows' heads off (0017)
    command.downgrade(alembic_config(database_url), "0008_audit@-1")  # the chains per case off (0015)
    command.downgrade(alembic_config(database_url), "0008_audit@-1")  # and the chain itself
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


def test_writers_of_one_case_never_chain_to_the_same_row(seeded, db_session, database_url):
    """Four writers on one case, four on another, at once: each case's chain stays one line, and the heads hold."""
    case_ids = cases_with_history(db_session)
    factory = make_session_factory(database_url)

    def write(case_id: int, worker: int) -> None:
        for n in range(5):
            with factory() as session:
                history.record(session, actor=Actor.system("test"), action="probe", entity_type="case",
                               entity_id=case_id, case_id=case_id, data={"n": f"{worker}-{n}"})
                session.commit()

    all_at_once(write, [(c, w) for c in case_ids for w in range(4)])
    with factory() as session:
        assert_chained_in_line(session, 5 * 4 * len(case_ids))
    factory.kw["bind"].dispose()


@pytest.mark.postgres
def test_writers_on_different_cases_do_not_wait_for_each_other(seeded, db_session, database_url):
    """A transaction holding one case's chain (its history row written, not committed) does not hold another's."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    one, two = cases_with_history(db_session)
    db_session.remove() if hasattr(db_session, "remove") else None
    factory = make_session_factory(database_url)
    with factory() as first, factory() as second:
        history.record(first, actor=Actor.system("test"), action="probe", entity_type="case", entity_id=one,
                       case_id=one)
        first.flush()  # case one's row locked until this transaction ends
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        history.record(second, actor=Actor.system("test"), action="probe", entity_type="case", entity_id=two,
                       case_id=two)
        second.commit()  # would time out if the writers shared one lock
        first.commit()
    with factory() as session:
        assert audit.verify(session).ok
    factory.kw["bind"].dispose()


def anchor_now(database_url):
    factory = make_session_factory(database_url)
    with factory() as session:
        anchored = audit_chain.anchor(session)
        session.commit()
    factory.kw["bind"].dispose()
    return anchored


def test_a_case_whose_last_rows_were_removed_is_found_by_the_anchor(seeded, db_session, database_url):
    """An owner who deletes a case's last rows and sets the case's head back leaves every link intact: the
    anchor written before still holds the removed head."""
    cases_with_history(db_session)
    anchored = anchor_now(database_url)
    assert anchored is not None and any(name.startswith("case:") for name in anchored.heads)
    assert anchor_now(database_url) is None, "nothing moved since"
    name, rows = next((n, r) for n, r in chains(db_session).items() if n.startswith("case:") and len(r) >= 3)
    kept = rows[-3]
    bypass_guards(database_url, "DELETE FROM history WHERE chain = :chain AND id > :id", chain=name, id=kept.id)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE cases SET chain_head = :head WHERE id = :id"),
                           {"head": kept.row_hash, "id": int(name[5:])})
    engine.dispose()
    db_session.expire_all()
    verdict = audit.verify(db_session)
    assert not verdict.ok and verdict.broken_id == kept.id and "anchor holds is missing" in verdict.problem, \
        verdict.describe()


def test_a_case_whose_last_rows_were_removed_is_found_by_its_head(seeded, db_session, database_url):
    cases_with_history(db_session)
    name, rows = next((n, r) for n, r in chains(db_session).items() if n.startswith("case:") and len(r) >= 2)
    bypass_guards(database_url, "DELETE FROM history WHERE id = :id", id=rows[-1].id)
    db_session.expire_all()
    verdict = audit.verify(db_session)
    assert not verdict.ok and verdict.broken_id == rows[-2].id and "head records" in verdict.problem


def test_an_anchor_changed_is_found(seeded, db_session, database_url):
    cases_with_history(db_session)
    anchor_now(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE history_anchors SET heads = :heads WHERE id = "
                                "(SELECT max(id) FROM history_anchors)"), {"heads": '{"case:1": "0"}'})
    engine.dispose()
    db_session.expire_all()
    verdict = audit.verify(db_session)
    assert not verdict.ok and "anchor" in verdict.problem


def test_undoing_the_chains_per_case_chains_their_rows_into_one_again(seeded, db_session, database_url):
    from alembic import command

    cases_with_history(db_session)
    db_session.remove() if hasattr(db_session, "remove") else None
    command.downgrade(alembic_config(database_url), "0008_audit@-2")  # 0017, then the chains per case (0015)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT prev_hash, row_hash FROM history ORDER BY id")).all()
    engine.dispose()
    assert rows[0].prev_hash == "0" * 64 and all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
    upgrade(database_url)
    factory = make_session_factory(database_url)
    with factory() as session:
        assert audit.verify(session).ok
    factory.kw["bind"].dispose()


def test_the_scheduler_anchors_the_heads_that_moved_after_each_sweep(seeded, db_session, database_url):
    from workflows.automation.scheduler import anchor_once

    case_ids = cases_with_history(db_session)
    db_session.remove() if hasattr(db_session, "remove") else None
    factory = make_session_factory(database_url)
    assert anchor_once(factory) >= len(case_ids)
    assert anchor_once(factory) == 0
    with factory() as session:
        assert all(case.anchored_head == case.chain_head for case in
                   session.scalars(select(Case).where(Case.id.in_(case_ids))))
    factory.kw["bind"].dispose()


def test_an_action_flushes_only_its_case_and_timers_and_its_chain_stays_whole(seeded, db_session, database_url,
                                                                               tmp_path):
    """An action's history row, outbox event and written decision are inserted at once (prebuilt statements), so
    the session's flushes carry the case and its timers alone; the case's one UPDATE moves its chain's head. A
    history row the session still holds for the case (written through the ORM, not flushed yet) is flushed first
    and so comes first in the chain."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import cases
    from workflows.services.casework.actors import actor_for
    from workflows.store.models import ListEntry

    flushed: list[set[str]] = []

    def before_flush(session, _context, _instances):
        flushed.append({type(o).__name__ for o in (*session.new, *session.dirty)})

    applicant, office = (actor_for(find_user(db_session, name)) for name in ("applicant", "office"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)
                                 .order_by(ListEntry.id))
    case_id = cases.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id,
                                                                  "grounds": "该行政处罚已于2026年3月撤销，列入依据不存在。"}).id
    db_session.commit()
    event.listen(Session, "before_flush", before_flush)
    try:
        history.record(db_session, actor=Actor.system(), action="note", entity_type="case", entity_id=case_id,
                       case_id=case_id, reason="written through the ORM, before the action")
        cases.take_action(db_session, case_id, "accept", office)
        db_session.commit()
    finally:
        event.remove(Session, "before_flush", before_flush)
    assert flushed[0] == {"HistoryEntry"}, flushed  # the pending row, before the action's row is chained
    assert all(names <= {"Case", "Timer"} for names in flushed[1:]), flushed
    rows = chains(db_session)[audit_chain.case_chain(case_id)]
    assert [r.action for r in rows] == ["file", "note", "accept"]
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
    db_session.expire_all()
    assert db_session.get(Case, case_id).chain_head == rows[-1].row_hash
    result = run_verify(database_url, tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith("OK"), result.output


def test_a_chains_first_row_writes_its_cases_head_as_it_is_inserted(seeded, db_session, database_url, tmp_path):
    """A filing reads its entry with the entry's open cases, inserts its case and then the case's first history row,
    whose insert sets the head (migration 0017): no UPDATE of its own. Two rows begun in one flush are chained as
    before, the head moved to the last."""
    from sqlalchemy import event

    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import cases
    from workflows.services.casework.actors import actor_for
    from workflows.store.models import ListEntry

    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)
                                 .order_by(ListEntry.id))
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(" ".join(statement.split()))

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        filed = cases.file_case(db_session, "objection", applicant,
                                {"list_entry_id": entry_id, "grounds": "该行政处罚已于2026年3月撤销，列入依据不存在。"})
        db_session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    # (with its event, WITHs of its timer's INSERT, on PostgreSQL)
    assert any(s.startswith("INSERT INTO history ") or "(INSERT INTO history " in s for s in statements), statements
    assert not any(s.startswith("UPDATE cases") for s in statements), statements
    # the entry is read with the open cases on it that would block the objection: no query of the cases alone
    assert not any(s.startswith("SELECT cases.") for s in statements), statements
    # two rows of a new case in one flush: the trigger sets the first, the flush moves the head on to the second
    two = Case.opened("objection", "submitted", subject_id=applicant.subject_id, department_id=filed.department_id)
    db_session.add(two)
    db_session.flush()
    for action in ("note", "another note"):
        history.record(db_session, actor=Actor.system(), action=action, entity_type="case", entity_id=two.id,
                       case_id=two.id)
    db_session.commit()
    db_session.expire_all()
    every = chains(db_session)
    for case_id, actions in ((filed.id, ["file"]), (two.id, ["note", "another note"])):
        rows = every[audit_chain.case_chain(case_id)]
        assert [r.action for r in rows] == actions
        assert db_session.get(Case, case_id).chain_head == rows[-1].row_hash
    result = run_verify(database_url, tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith("OK"), result.output
