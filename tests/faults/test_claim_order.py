"""A case's events are claimed in order: a later one waits while an earlier one is released or held.

Found by the Prefect-outage fault test: an acceptance released after a failed flow run, then its
case's confirmation carried out first, left the measures suspended on a closed case.
"""
from datetime import timedelta

from sqlalchemy import select, update

from workflows.automation.worker import claim
from workflows.services.admin.accounts import find_user
from workflows.services.casework.actors import actor_for
from workflows.services.casework.cases import file_case, take_action
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.models import ListEntry

GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


def test_a_later_event_waits_for_an_earlier_one_of_its_case(seeded, db_session):
    applicant = actor_for(find_user(db_session, "applicant"))
    entry = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = file_case(db_session, "objection", applicant, {"list_entry_id": entry, "grounds": GROUNDS})
    take_action(db_session, case.id, "accept", actor_for(find_user(db_session, "office")), {})
    db_session.commit()
    first, second = db_session.scalars(select(OutboxEvent.id).where(OutboxEvent.case_id == case.id)
                                       .order_by(OutboxEvent.id)).all()
    # the first was released after a failure, to be tried again in a minute
    db_session.execute(update(OutboxEvent).where(OutboxEvent.id == first)
                       .values(available_at=utcnow() + timedelta(minutes=1)))
    db_session.commit()
    assert claim(db_session, "w:1") == []
    db_session.execute(update(OutboxEvent).where(OutboxEvent.id == first).values(available_at=utcnow()))
    db_session.commit()
    assert [e.id for e in claim(db_session, "w:1")] == [first]  # the second waits while the first is held
    db_session.execute(update(OutboxEvent).where(OutboxEvent.id == first).values(status="done"))
    db_session.commit()
    assert [e.id for e in claim(db_session, "w:2")] == [second]


def test_one_statement_claims_a_whole_batch_and_a_claim_is_not_taken_twice(seeded, db_session):
    """The batch is claimed by one UPDATE ... RETURNING, whatever its size (an UPDATE per event had cost about a
    millisecond of CPU each); a second worker right after finds nothing to claim, the lease not having run out."""
    from sqlalchemy import event

    ids = []
    for _ in range(30):
        row = OutboxEvent(process="objection", kind="file", case_id=None, payload={}, status="pending", attempts=0,
                          last_error="")  # due at once: available_at is the product clock's now
        db_session.add(row)
        db_session.flush()
        ids.append(row.id)
    db_session.commit()
    statements = []
    engine = db_session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        claimed = claim(db_session, "w:1", limit=25)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert [e.id for e in claimed] == ids[:25]  # the oldest first, in order
    assert all(e.status == "processing" and e.claimed_by == "w:1" and e.attempts == 1 for e in claimed)
    assert len(statements) == 1, statements
    assert [e.id for e in claim(db_session, "w:2", limit=25)] == ids[25:]
    assert claim(db_session, "w:3") == []
