"""Two reviewers deciding the same case at the same moment: exactly one wins, the other is told."""
import threading

from sqlalchemy import func, select

from workflows.domain.errors import DomainError
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.store.db import make_session_factory
from workflows.store.models import HistoryEntry, ListEntry

GROUNDS = "原处罚决定已被复议机关撤销，请核实。"


def test_two_decisions_at_once_one_wins(seeded, db_session, database_url):
    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
    db_session.commit()
    office = actor_for(find_user(db_session, "office"))
    factory = make_session_factory(database_url)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action, params):
        with factory() as session:
            barrier.wait()
            try:
                case_service.take_action(session, case.id, action, office, params, expected_version=case.version)
                session.commit()
                outcomes.append(("ok", action))
            except DomainError as error:
                session.rollback()
                outcomes.append((error.http_status, action))
            except Exception as error:  # noqa: BLE001 - a lost race surfaces as a database conflict
                session.rollback()
                outcomes.append((type(error).__name__, action))

    threads = [threading.Thread(target=decide, args=("accept", {})),
               threading.Thread(target=decide, args=("refuse", {"reason": "不属于受理范围"}))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    factory.kw["bind"].dispose()
    winners = [o for o in outcomes if o[0] == "ok"]
    assert len(winners) == 1, outcomes
    loser = next(o for o in outcomes if o[0] != "ok")
    assert loser[0] in (409, "StaleDataError", "OperationalError"), outcomes
    db_session.expire_all()
    decisions = db_session.scalar(select(func.count()).select_from(HistoryEntry)
                                  .where(HistoryEntry.case_id == case.id, HistoryEntry.action.in_(["accept", "refuse"])))
    assert decisions == 1


def test_on_sqlite_an_action_holds_the_write_lock_before_it_reads_the_case(seeded, db_session, database_url):
    """SQLite has no FOR UPDATE: the action's transaction begins as IMMEDIATE (the write lock) before the case is
    read, so another writer waits until it ends, and no write that changes nothing is spent on the lock. On
    PostgreSQL the case row is read FOR UPDATE."""
    import sqlite3

    from sqlalchemy import event

    from workflows.services.casework.case_records import get_case

    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
    db_session.commit()
    factory = make_session_factory(database_url)
    seen: list[str] = []
    event.listen(factory.kw["bind"], "before_cursor_execute", lambda _c, _k, statement, *_: seen.append(statement))
    try:
        with factory() as session:
            session.execute(select(func.count()).select_from(HistoryEntry)).scalar()  # a read first, as a request's
            get_case(session, case.id, for_update=True)
            if factory.kw["bind"].dialect.name == "postgresql":
                assert "FOR UPDATE" in seen[-1]
                return
            assert not [s for s in seen if s.lstrip().upper().startswith("UPDATE")], seen
            other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.05)
            try:
                other.execute("BEGIN IMMEDIATE")
                raise AssertionError("another writer took the lock while the action held it")
            except sqlite3.OperationalError as error:
                assert "locked" in str(error)
            finally:
                other.close()
            session.rollback()
        other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.05)
        other.execute("BEGIN IMMEDIATE")  # free again once the action's transaction ended
        other.rollback()
        other.close()
    finally:
        factory.kw["bind"].dispose()
