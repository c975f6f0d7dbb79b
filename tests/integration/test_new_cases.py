"""A case's record (history, files, written decisions) as its page and its API answer list it: of a case filed in
the same transaction, as that transaction wrote it, without reading it back; of any other, in one statement. Both
are what plain reads of the three tables give afterwards, whatever wrote the rows (a Core insert, a flush)."""
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases, history
from workflows.services.casework.actors import actor_for
from workflows.services.casework.history_view import case_record
from workflows.store import new_cases
from workflows.store.cases import Case, EvidenceFile
from workflows.store.db import make_session_factory
from workflows.store.documents import DecisionDocument
from workflows.store.models import HistoryEntry, ListEntry

GROUNDS = "原处罚决定已被复议机关撤销，请核实。"
UPLOADED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # the files' own instants: any, in order


@contextmanager
def statements(sessions):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(statement)

    event.listen(sessions.kw["bind"], "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sessions.kw["bind"], "before_cursor_execute", record)


def listed(record) -> tuple[list, list, list]:
    """A record as comparable values."""
    return ([(h["at"], h["actor"], h["action"], h["from_"], h["to"], h["reason"]) for h in record.history],
            [(f.id, f.original_name, f.content_type, f.size, f.purpose, f.uploaded_at) for f in record.evidence],
            [(d.id, d.number, d.kind, d.action, d.case_id, d.list_entry_id, d.department_id, d.issued_at, d.title)
             for d in record.documents])


def as_stored(session, case_id) -> tuple[list, list, list]:
    """The same three lists by plain reads of whole rows, table by table (what case_record is checked against)."""
    h, e, d = HistoryEntry, EvidenceFile, DecisionDocument
    rows = session.scalars(select(h).where(h.case_id == case_id).order_by(h.id))
    files = session.scalars(select(e).where(e.case_id == case_id).order_by(e.id))
    documents = session.scalars(select(d).where(d.case_id == case_id).order_by(d.id))
    return ([(r.at, r.actor_label, r.action, r.from_state, r.to_state, r.reason) for r in rows],
            [(f.id, f.original_name, f.content_type, f.size, f.purpose, f.uploaded_at) for f in files],
            [(x.id, x.number, x.kind, x.action, x.case_id, x.list_entry_id, x.department_id, x.issued_at,
              x.fields["title"]) for x in documents])


def file_and_accept(session) -> Case:
    applicant = actor_for(find_user(session, "applicant"))
    office = actor_for(find_user(session, "office"))
    entry_id = session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = cases.file_case(session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
    history.record(session, actor=office, action="note", entity_type="case", entity_id=case.id, case_id=case.id,
                   reason="由受理窗口登记。")  # a row by the flush, beside the Core inserts of the actions
    return cases.take_action(session, case.id, "accept", office)


@pytest.mark.clock  # an acceptance starts a limit of working days: run again with the clock shifted
def test_a_new_cases_record_is_what_its_transaction_wrote(database_url, seeded):
    sessions = make_session_factory(database_url)
    with sessions() as session:
        case = file_and_accept(session)
        with statements(sessions) as seen:
            answered = listed(case_record(session, case))
        assert not seen, seen  # nothing read back
        session.commit()
    with sessions() as session:
        assert as_stored(session, case.id) == answered
    history_rows, files, documents = answered
    assert [row[2] for row in history_rows] == ["file", "note", "accept"] and files == []
    assert [row[2] for row in documents] == ["acceptance"] and documents[0][8] == "受理通知书", documents
    sessions.kw["bind"].dispose()


@pytest.mark.clock
def test_an_older_case_and_one_past_a_savepoint_are_read(database_url, seeded):
    """Only a case its own transaction inserted is answered from what was kept; a savepoint's end (whose rows may
    have been rolled back) forgets it, and it is read like any other."""
    sessions = make_session_factory(database_url)
    with sessions() as session:
        case = file_and_accept(session)
        assert new_cases.written(session, case.id, new_cases.HISTORY) is not None
        with session.begin_nested():
            pass
        assert new_cases.written(session, case.id, new_cases.HISTORY) is None
        with statements(sessions) as seen:
            past_savepoint = listed(case_record(session, case))
        assert len(seen) == 1, seen
        session.commit()
        assert new_cases.written(session, case.id, new_cases.HISTORY) is None  # the next transaction: read
        assert listed(case_record(session, case)) == past_savepoint == as_stored(session, case.id)
    sessions.kw["bind"].dispose()


@pytest.mark.clock
def test_an_older_cases_record_in_one_statement_is_what_plain_reads_give(database_url, seeded):
    """The record read in one statement (a UNION ALL of the three lists) holds what plain reads of each table give,
    in the same order: files added out of the order of their names, a document's title out of its text."""
    sessions = make_session_factory(database_url)
    with sessions() as session:
        case_id = file_and_accept(session).id
        for n in (2, 1):
            session.add(EvidenceFile(case_id=case_id, stored_name=f"stored-{n}", original_name=f"证明{n}.pdf",
                                     content_type="application/pdf", size=1000 * n, sha256="0" * 64,
                                     purpose="supplement" if n == 1 else "evidence",
                                     uploaded_at=UPLOADED + timedelta(seconds=n)))
        session.commit()
    with sessions() as session:
        case = session.get(Case, case_id)
        with statements(sessions) as seen:
            record = listed(case_record(session, case))
        assert len(seen) == 1, seen
        assert record == as_stored(session, case_id)
        assert [f[1] for f in record[1]] == ["证明2.pdf", "证明1.pdf"] and len(record[2]) == 1
    sessions.kw["bind"].dispose()
