"""SLA timers fired by the sweep with a controlled clock, on SQLite and PostgreSQL."""
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from sla.calendar import ZONE
from workflows.automation.scheduler import build_scheduler
from workflows.automation.sweep import sweep
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.case_records import get_case
from workflows.services.casework.actors import actor_for
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Timer
from workflows.store.db import make_session_factory
from workflows.store.models import ListEntry

pytestmark = pytest.mark.clock  # deadline-sensitive: run again with the clock shifted

ACCEPTED = datetime(2026, 9, 28, 10, tzinfo=ZONE)  # before the National Day holiday
GROUNDS = "原处罚决定已被复议机关撤销，请核实。"


def accepted_case(session, username="applicant", entry_index=0):
    actor = actor_for(find_user(session, username))
    entry_id = session.scalars(select(ListEntry.id).where(ListEntry.subject_id == actor.subject_id)).all()[entry_index]
    case = case_service.file_case(session, "objection", actor, {"list_entry_id": entry_id, "grounds": GROUNDS},
                                  now=ACCEPTED)
    case_service.take_action(session, case.id, "accept", actor_for(find_user(session, "office")), now=ACCEPTED)
    session.commit()
    return case


def verification(session, case_id):
    return session.scalar(select(Timer).where(Timer.case_id == case_id, Timer.kind == "verification"))


def events(session, kind):
    return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.kind == kind))


def test_verification_deadline_spans_national_day(seeded, db_session):
    case = accepted_case(db_session)
    timer = verification(db_session, case.id)
    assert timer.due_on == date(2026, 10, 30)
    assert timer.due_at == datetime(2026, 10, 31, tzinfo=ZONE)
    assert timer.warn_at == datetime(2026, 10, 28, tzinfo=ZONE)


def test_sweep_warns_then_breaches_each_once(seeded, db_session):
    case = accepted_case(db_session)
    assert sweep(db_session, now=datetime(2026, 10, 27, 23, tzinfo=ZONE)) == 0
    assert sweep(db_session, now=datetime(2026, 10, 28, 9, tzinfo=ZONE)) == 1
    assert sweep(db_session, now=datetime(2026, 10, 29, 9, tzinfo=ZONE)) == 0
    db_session.expire_all()
    assert verification(db_session, case.id).status == "warned"
    assert sweep(db_session, now=datetime(2026, 10, 30, 23, 59, tzinfo=ZONE)) == 0
    assert sweep(db_session, now=datetime(2026, 10, 31, 0, 0, tzinfo=ZONE)) == 1
    assert sweep(db_session, now=datetime(2026, 11, 4, tzinfo=ZONE)) == 0
    db_session.expire_all()
    assert verification(db_session, case.id).status == "breached"
    assert (events(db_session, "warn"), events(db_session, "breach")) == (1, 1)


def test_a_short_limit_is_not_due_soon_at_filing_and_warns_as_its_last_working_day_begins(seeded, db_session):
    from workflows.services.casework.queries import deadline_status

    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalars(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)).first()
    filed = datetime(2026, 11, 2, 10, tzinfo=ZONE)  # a Monday: 3 working days for the office, due Thursday
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS},
                                  now=filed)
    db_session.commit()
    acceptance = db_session.scalar(select(Timer).where(Timer.case_id == case.id))
    assert (acceptance.due_on, acceptance.warn_at) == (date(2026, 11, 5), datetime(2026, 11, 5, tzinfo=ZONE))
    assert deadline_status(acceptance, filed).status == "on_track"
    assert sweep(db_session, now=filed) == 0 and events(db_session, "warn") == 0  # no warning with the new case
    assert sweep(db_session, now=datetime(2026, 11, 4, 23, 59, tzinfo=ZONE)) == 0
    assert sweep(db_session, now=datetime(2026, 11, 5, 0, 1, tzinfo=ZONE)) == 1 and events(db_session, "warn") == 1
    assert deadline_status(acceptance, datetime(2026, 11, 5, 9, tzinfo=ZONE)).status == "due_soon"


def test_a_missed_limit_stays_missed_through_a_pause_and_is_counted_once(seeded, db_session):
    from workflows.services.supervision.deadline_filters import dated_timer

    office = actor_for(find_user(db_session, "office"))
    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalars(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)).first()
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS},
                                  now=datetime(2026, 11, 2, 10, tzinfo=ZONE))  # the office's 3 days end on the 5th
    db_session.commit()
    assert sweep(db_session, now=datetime(2026, 11, 6, 9, tzinfo=ZONE)) == 1  # breached
    case_service.take_action(db_session, case.id, "request_supplement", office, {"reason": "补充材料"},
                             now=datetime(2026, 11, 9, 10, tzinfo=ZONE))
    case_service.take_action(db_session, case.id, "supplement", applicant, {"note": "已补充"},
                             now=datetime(2026, 11, 10, 10, tzinfo=ZONE))
    sweep(db_session, now=datetime(2026, 11, 20, 9, tzinfo=ZONE))
    case_service.take_action(db_session, case.id, "accept", office, now=datetime(2026, 11, 20, 10, tzinfo=ZONE))
    db_session.commit()
    acceptance = db_session.scalar(select(Timer).where(Timer.case_id == case.id, Timer.kind == "acceptance"))
    assert acceptance.status == "breached" and acceptance.ended_at is not None
    assert events(db_session, "breach") == 1  # not breached a second time after the supplement
    counted = {dated: db_session.scalar(select(func.count()).select_from(Timer)
                                        .where(Timer.case_id == case.id, dated_timer(dated, None, None)))
               for dated in ("breached", "met")}
    assert counted == {"breached": 1, "met": 0}


def test_paused_days_do_not_count(seeded, db_session):
    office = actor_for(find_user(db_session, "office"))
    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalars(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)).first()
    filed = datetime(2026, 9, 28, 10, tzinfo=ZONE)
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS},
                                  now=filed)
    acceptance = db_session.scalar(select(Timer).where(Timer.case_id == case.id))
    assert acceptance.due_on == date(2026, 10, 8)  # 3 working days: Sep 29, Sep 30, then Oct 1-7 are off
    case_service.take_action(db_session, case.id, "request_supplement", office, {"reason": "补充材料"},
                             now=datetime(2026, 9, 29, 10, tzinfo=ZONE))  # Sep 29 used; Sep 30 and Oct 8 left
    assert acceptance.status == "paused" and acceptance.remaining_days == 2
    assert sweep(db_session, now=datetime(2026, 10, 20, tzinfo=ZONE)) == 0  # paused: never fires
    case_service.take_action(db_session, case.id, "supplement", applicant, {"note": "已补充"},
                             now=datetime(2026, 10, 12, 9, tzinfo=ZONE))
    assert acceptance.status == "pending" and acceptance.due_on == date(2026, 10, 14)  # Oct 13 and 14
    db_session.commit()


def test_scheduler_job_is_registered_with_the_sweep(app):
    scheduler = build_scheduler(app.config["CREDIT_CASES"], interval_seconds=30)
    job = scheduler.get_job("sla-sweep")
    assert job is not None and job.max_instances == 1


@pytest.mark.postgres
def test_two_sweepers_at_once_fire_each_timer_once(seeded, db_session, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrent sweep is a PostgreSQL property (SKIP LOCKED)")
    applicant = actor_for(find_user(db_session, "applicant"))
    office = actor_for(find_user(db_session, "office"))
    entry = db_session.scalars(select(ListEntry).where(ListEntry.subject_id == applicant.subject_id)).first()
    for n in range(120):  # many timers: each case is its own objection on a copy of the entry
        copy = ListEntry(subject_id=None, list_kind="black", department_id=entry.department_id,
                         listed_on=entry.listed_on, valid_until=entry.valid_until)
        db_session.add(copy)
        db_session.flush()
        case = case_service.Case.opened("objection", "submitted", subject_id=applicant.subject_id,
                                        department_id=entry.department_id, list_entry_id=copy.id)
        db_session.add(case)
        db_session.flush()
        case_service.take_action(db_session, case.id, "accept", office, now=ACCEPTED)
    db_session.commit()
    factory = make_session_factory(database_url)
    results = []
    barrier = threading.Barrier(2)

    def run():
        with factory() as session:
            barrier.wait()
            results.append(sweep(session, now=datetime(2026, 11, 9, tzinfo=ZONE)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    # each timer's breach fired once, by one sweeper or the other; the escalation that follows may already be due
    # when the second sweeper finds the timers unlocked again, and it too fires once or not at all
    breaches, escalations = events(db_session, "breach"), events(db_session, "escalate")
    assert breaches == 120 and escalations in (0, 120)
    assert sum(results) == breaches + escalations
    factory.kw["bind"].dispose()


@pytest.mark.postgres
def test_a_sweep_passes_over_a_case_an_action_holds_and_neither_waits_for_the_other(seeded, db_session, database_url):
    """An action (or a flow's event) holds its case and then moves its timers; a sweep that held a due timer and then
    waited for its case would deadlock with it. The sweep passes over the held case and fires its timer later."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: a sweep and an action cannot interleave")
    case = accepted_case(db_session)
    warning = datetime(2026, 10, 28, 9, tzinfo=ZONE)  # the verification limit's warning is due
    factory = make_session_factory(database_url)
    swept = []

    def warned(case_id):
        with factory() as session:
            return session.scalar(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.kind == "warn", OutboxEvent.case_id == case_id))

    def sweep_apart():
        with factory() as session:
            swept.append(sweep(session, now=warning))

    with factory() as action:
        held = get_case(action, case.id, for_update=True)
        sweeper = threading.Thread(target=sweep_apart)
        sweeper.start()
        sweeper.join(5)
        try:
            assert not sweeper.is_alive(), "the sweep waited for the case an action holds"
            assert len(swept) == 1 and warned(case.id) == 0  # passed over, not failed
            # the action moves the case's timer: it does not wait for the sweep either
            next(t for t in held.timers if t.kind == "verification").warn_at = warning
            action.commit()
        finally:
            action.rollback()
            sweeper.join(30)
    with factory() as session:  # the next sweep fires the warning passed over
        assert sweep(session, now=warning) >= 1
    factory.kw["bind"].dispose()
    db_session.expire_all()
    assert verification(db_session, case.id).status == "warned"
    assert warned(case.id) == 1


def test_breach_then_second_escalation_after_the_set_working_days(seeded, db_session):
    case = accepted_case(db_session)  # due 2026-10-30; escalation 5 working days later: end of 2026-11-06
    assert sweep(db_session, now=datetime(2026, 10, 31, 1, tzinfo=ZONE)) == 1  # breach (warning skipped)
    assert sweep(db_session, now=datetime(2026, 11, 6, 23, tzinfo=ZONE)) == 0
    assert sweep(db_session, now=datetime(2026, 11, 7, 0, tzinfo=ZONE)) == 1
    assert sweep(db_session, now=datetime(2026, 12, 31, tzinfo=ZONE)) == 0
    assert (events(db_session, "breach"), events(db_session, "escalate")) == (1, 1)
    db_session.expire_all()
    assert verification(db_session, case.id).escalated_at is not None
