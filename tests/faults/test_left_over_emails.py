"""E-mails of a step whose worker died before sending them are sent by the event's next attempt.

Found by the kill -9 fault test: the inbox rows were committed, so the repeated step created none and
returned none to e-mail; the notices stayed unsent for ever.
"""
from sqlalchemy import func, select

from workflows.store.automation import Notification, OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case

GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


def test_emails_left_by_a_killed_worker_are_sent_by_the_next_attempt(world, smtp):
    from workflows.automation.worker import LEASE
    from workflows.processes import OBJECTION
    from workflows.steps import STEPS, plan_of, runtime

    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    rt = runtime.configure(world.config)
    with rt.sessions() as session:  # a worker claimed the event, committed its steps, and died
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.case_id == case_id))
        for name in plan_of(OBJECTION)["file"]:
            STEPS[name](session, event, session.get(Case, case_id))
        event_id = event.id
        session.execute(OutboxEvent.__table__.update().where(OutboxEvent.id == event_id).values(
            status="processing", attempts=1, claimed_by="dead:1", claimed_at=utcnow() - LEASE - LEASE))
        session.commit()
    assert smtp.messages == []
    world.drain()
    with rt.sessions() as session:
        unsent = session.scalar(select(func.count()).select_from(Notification)
                                .where(Notification.emailed_at.is_(None), Notification.email_to != ""))
        emailed = session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.emailed_at.is_not(None)))
    assert unsent == 0
    assert emailed == len(smtp.messages) > 0
