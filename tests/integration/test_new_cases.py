"""A case filed in a transaction lists its history and documents as that transaction wrote them, without reading
them back; the same lists as a later transaction reads them, whatever wrote them (a Core insert, a flush)."""
from sqlalchemy import event, select

from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases, history
from workflows.services.casework.actors import actor_for
from workflows.services.casework.history_view import case_history, case_record
from workflows.services.documents import reading
from workflows.store import new_cases
from workflows.store.db import make_session_factory
from workflows.store.models import ListEntry

GROUNDS = "原处罚决定已被复议机关撤销，请核实。"


def lists(session, case_id):
    documents = reading.of_case(session, case_id)
    return case_history(session, case_id), [dict(d._mapping) if hasattr(d, "_mapping") else vars(d) for d in documents]


def reads(sessions):
    seen: list[str] = []
    event.listen(sessions.kw["bind"], "before_cursor_execute", lambda _c, _cu, statement, *_: seen.append(statement))
    return seen


def file_and_accept(session):
    applicant = actor_for(find_user(session, "applicant"))
    office = actor_for(find_user(session, "office"))
    entry_id = session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = cases.file_case(session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
    history.record(session, actor=office, action="note", entity_type="case", entity_id=case.id, case_id=case.id,
                   reason="由受理窗口登记。")  # a row by the flush, beside the Core inserts of the actions
    cases.take_action(session, case.id, "accept", office)
    return case.id


def test_a_new_cases_history_and_documents_are_what_its_transaction_wrote(database_url, seeded):
    sessions = make_session_factory(database_url)
    with sessions() as session:
        case_id = file_and_accept(session)
        seen = reads(sessions)
        answered = lists(session, case_id)
        assert not seen, seen  # nothing read back
        session.commit()
    with sessions() as session:
        assert lists(session, case_id) == answered
    history_rows, documents = answered
    assert [h["action"] for h in history_rows] == ["file", "note", "accept"]
    assert [d["kind"] for d in documents] == ["acceptance"], documents
    sessions.kw["bind"].dispose()


def test_an_older_case_and_one_past_a_savepoint_are_read(database_url, seeded):
    """Only a case its own transaction inserted is answered from what was kept; a savepoint's end (whose rows may
    have been rolled back) forgets it, and it is read like any other."""
    sessions = make_session_factory(database_url)
    with sessions() as session:
        case_id = file_and_accept(session)
        assert new_cases.written(session, case_id, new_cases.HISTORY) is not None
        with session.begin_nested():
            pass
        assert new_cases.written(session, case_id, new_cases.HISTORY) is None
        session.commit()
        assert new_cases.written(session, case_id, new_cases.HISTORY) is None  # the next transaction: read
        assert [h["action"] for h in case_history(session, case_id)] == ["file", "note", "accept"]
    sessions.kw["bind"].dispose()


def test_an_older_cases_record_in_one_statement_is_what_its_three_reads_give(database_url, seeded):
    """The record an answer lists (history, files, documents), read in one statement, holds what the three reads
    of its parts give, in the same order."""
    from datetime import timedelta

    from workflows.store.base import utcnow
    from workflows.store.cases import Case, EvidenceFile

    sessions = make_session_factory(database_url)
    with sessions() as session:
        case_id = file_and_accept(session)
        for n in (2, 1):
            session.add(EvidenceFile(case_id=case_id, stored_name=f"stored-{n}", original_name=f"证明{n}.pdf",
                                     content_type="application/pdf", size=1000 * n, sha256="0" * 64,
                                     purpose="supplement" if n == 1 else "evidence",
                                     uploaded_at=utcnow() + timedelta(seconds=n)))
        session.commit()
    with sessions() as session:
        case = session.get(Case, case_id)
        seen = reads(sessions)
        record = case_record(session, case)
        assert len(seen) == 1, seen
        files = [(f.id, f.original_name, f.content_type, f.size, f.purpose, f.uploaded_at) for f in case.evidence]
        assert [(f.id, f.original_name, f.content_type, f.size, f.purpose, f.uploaded_at)
                for f in record.evidence] == files and len(files) == 2
        assert record.history == case_history(session, case_id)
        assert [vars(d) for d in record.documents] == [dict(d._mapping) for d in reading.of_case(session, case_id)]
    sessions.kw["bind"].dispose()
