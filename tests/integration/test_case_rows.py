"""An action's case and timers are written by prebuilt statements, not by a flush (ADR 0014), and end as a flush
leaves them; anything else the session holds changed is left to the flush. A case's timers and files are read-only
collections: each row is written through its own `case`."""
import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflows.domain.process import Actor
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases
from workflows.services.casework.actors import actor_for
from workflows.services.casework.case_records import get_case
from workflows.store import case_rows
from workflows.store.cases import Case, Timer
from workflows.store.models import ListEntry

GROUNDS = "该行政处罚已于2026年3月撤销，列入依据不存在。"


@pytest.fixture
def flushes():
    """The mappers of each flush of any session, while the test runs."""
    seen: list[set[str]] = []

    def after_flush(_session, context):
        seen.append({mapper.class_.__name__ for mapper in context.mappers})

    event.listen(Session, "after_flush", after_flush)
    yield seen
    event.remove(Session, "after_flush", after_flush)


def people(db_session):
    return [actor_for(find_user(db_session, name)) for name in ("applicant", "office", "provider")]


def filed(db_session, applicant) -> Case:
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)
                                 .order_by(ListEntry.id))
    return cases.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})


def test_the_objection_cycle_writes_its_cases_and_timers_without_a_flush(seeded, db_session, flushes):
    applicant, office, provider = people(db_session)
    case = filed(db_session, applicant)
    assert [t.kind for t in case.timers] == ["acceptance"]  # started on the new case: in its collection at once
    assert case.id is not None and case.timers[0].case_id == case.id and case.version == 1
    assert not db_session.new and not db_session.dirty  # as a flush leaves them
    db_session.commit()
    case = cases.take_action(db_session, case.id, "accept", office)
    started = [t for t in case.timers if t.status == "pending"]
    assert [t.kind for t in started] == ["verification"] and started[0].id is not None
    assert case.version == 2 and not db_session.new and not db_session.dirty
    db_session.commit()
    cases.take_action(db_session, case.id, "confirm", provider, {"reason": "经核实，原处罚决定有效。"})
    db_session.commit()
    cases.take_action(db_session, case.id, "close", Actor.system())
    db_session.commit()
    assert flushes == []  # each transaction's case and timers written by their own statements
    db_session.expunge_all()
    row = db_session.get(Case, case.id)
    assert (row.state, row.version, row.closed_at is not None) == ("closed", 4, True)
    timers = db_session.scalars(select(Timer).where(Timer.case_id == case.id).order_by(Timer.id)).all()
    assert [(t.kind, t.status, t.ended_at is not None) for t in timers] == [("acceptance", "met", True),
                                                                           ("verification", "met", True)]
    assert [t.id for t in row.timers] == [t.id for t in timers]


def test_a_case_another_writer_moved_is_refused_as_the_flush_refuses_it(seeded, db_session):
    applicant, office, _ = people(db_session)
    case = filed(db_session, applicant)
    db_session.commit()
    case = get_case(db_session, case.id, for_update=True)
    db_session.connection().execute(update(Case.__table__).where(Case.__table__.c.id == case.id)
                                    .values(version=Case.__table__.c.version + 1))  # as another writer would have
    case.updated_at = case.updated_at.replace(microsecond=1)
    with pytest.raises(StaleDataError):
        case_rows.write(db_session, case)
    db_session.rollback()


def test_an_action_whose_case_another_writer_moved_is_refused_and_its_rows_go_with_it(seeded, db_session):
    """The version check holds when the action's history row and event are WITHs of its case's UPDATE (one
    statement on PostgreSQL): the action fails as the flush fails it, and its transaction, rolled back as every
    caller's is on that error (the web answers 409), keeps neither row."""
    from workflows.services.casework import history, outbox
    from workflows.store.automation import OutboxEvent
    from workflows.store.models import HistoryEntry

    applicant, office, _ = people(db_session)
    case = filed(db_session, applicant)
    db_session.commit()
    count = {table: db_session.scalar(select(func.count()).select_from(table)) for table in (HistoryEntry, OutboxEvent)}
    case = get_case(db_session, case.id, for_update=True)
    db_session.connection().execute(update(Case.__table__).where(Case.__table__.c.id == case.id)
                                    .values(version=Case.__table__.c.version + 1))  # as another writer would have
    case.updated_at = case.updated_at.replace(microsecond=1)
    row = history.chained_row(db_session, actor=office, action="accept", case_id=case.id, from_state="submitted",
                              to_state="verifying", at=case.updated_at)
    with pytest.raises(StaleDataError):
        case_rows.write(db_session, case, history_row=row, event=outbox.event(case, "accept", case.updated_at))
    db_session.rollback()
    assert {table: db_session.scalar(select(func.count()).select_from(table)) for table in count} == count


def test_an_action_on_a_case_with_no_history_yet_begins_its_chain(seeded, db_session, database_url, tmp_path):
    """A case opened without a filing's row (as an import or a migration left one): its first history row is an
    action's. On PostgreSQL it is written in the statement that updates the case, the head with it; the trigger of
    migration 0017, which writes a chain's first head, fires after that statement and finds the head written. The
    chain verifies."""
    from tests.integration.test_audit_chain import chains, run_verify
    from workflows.store import audit_chain

    applicant, office, provider = people(db_session)
    entry = db_session.scalar(select(ListEntry).where(ListEntry.subject_id == applicant.subject_id)
                              .order_by(ListEntry.id))
    bare = Case.opened("objection", "submitted", subject_id=entry.subject_id, department_id=entry.department_id,
                       list_entry_id=entry.id, applicant_id=applicant.user_id, data={"origin": "applicant"})
    db_session.add(bare)
    db_session.commit()
    cases.take_action(db_session, bare.id, "accept", office)
    db_session.commit()
    cases.take_action(db_session, bare.id, "confirm", provider, {"reason": "经核实，原处罚决定有效。"})
    db_session.commit()
    db_session.expire_all()
    rows = chains(db_session)[audit_chain.case_chain(bare.id)]
    assert [r.action for r in rows] == ["accept", "confirm"] and rows[0].prev_hash == audit_chain.GENESIS
    assert db_session.get(Case, bare.id).chain_head == rows[-1].row_hash
    result = run_verify(database_url, tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith("OK"), result.output


def test_a_rollback_forgets_what_was_written_as_after_a_flush(seeded, db_session):
    """A new case's object leaves the session with its row (its id may be given again), a changed case is read
    again."""
    from sqlalchemy import inspect

    applicant, office, _ = people(db_session)
    gone = filed(db_session, applicant)
    db_session.rollback()
    assert inspect(gone).transient and gone not in db_session
    case = filed(db_session, applicant)  # SQLite gives the same id again: no other object holds it in the session
    db_session.commit()
    before = (case.state, case.version)
    cases.take_action(db_session, case.id, "accept", office)
    assert (case.state, case.version) == ("verifying", 2)
    db_session.rollback()
    assert (case.state, case.version) == before  # expired, read again
    assert [t.kind for t in db_session.get(Case, case.id).timers] == ["acceptance"]


def test_anything_else_changed_is_left_to_the_flush(seeded, db_session, flushes):
    applicant, office, _ = people(db_session)
    case = filed(db_session, applicant)
    db_session.commit()
    case = get_case(db_session, case.id, for_update=True)
    case.list_entry.basis = case.list_entry.basis + "。"  # not the case's own row: the flush writes both
    case.updated_at = case.updated_at.replace(microsecond=1)
    case_rows.write(db_session, case)
    assert flushes == [{"Case", "ListEntry"}] and not db_session.dirty
    db_session.rollback()


def test_a_flush_of_the_case_alone_carries_its_row_alone(seeded, db_session, flushes):
    """A writable collection brought every timer of the case into each flush of the case."""
    applicant, _, _ = people(db_session)
    case = filed(db_session, applicant)
    db_session.commit()
    case = get_case(db_session, case.id, for_update=True)
    assert case.timers
    case.updated_at = case.updated_at.replace(microsecond=1)
    db_session.flush()
    assert flushes == [{"Case"}]
    db_session.rollback()


def test_an_actions_read_of_its_case_leaves_the_applicant_a_flows_reads_it(seeded, db_session):
    """An action reads no more of the applicant than its id; a flow's event tells the applicant, so its held read
    joins it (no statement of its own later)."""
    from workflows.steps.carry import held_case

    applicant, office, _ = people(db_session)
    case_id = filed(db_session, applicant).id
    db_session.commit()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        cases.take_action(db_session, case_id, "accept", office)
        db_session.commit()
        action_read = [s for s in statements if s.lstrip().startswith("SELECT") and "FROM cases" in s]
        statements.clear()
        case = held_case(db_session, case_id)
        assert case.applicant is not None and case.applicant.id == applicant.user_id
        flow_read = [s for s in statements if s.lstrip().startswith("SELECT")]
        db_session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(action_read) == 1 and " users" not in action_read[0], action_read
    assert len(flow_read) == 1 and " users" in flow_read[0], flow_read
