"""A deadline that runs into a year without a holiday arrangement is never guessed and never refused.

The filing and the decision go through; the timer waits `unscheduled` with its working days, the
administrators are told once, and importing the year schedules it from the instant its clock started.
Years 2099/2100 stand in for "next year, not yet published": no packaged data has them.
"""
import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from sla.calendar import ZONE
from workflows.automation.sweep import sweep
from workflows.domain.process import Actor
from workflows.services.admin import calendar_imports
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.services.casework.queries import deadline_status
from workflows.store.automation import Notification, OutboxEvent
from workflows.store.cases import Timer
from workflows.store.models import ListEntry, User

pytestmark = pytest.mark.clock  # deadline-sensitive: run again with the clock shifted

GROUNDS = "原处罚决定已被复议机关撤销，请核实。"
ADMIN = Actor.system("test")


def accept(session, now):
    actor = actor_for(find_user(session, "applicant"))
    entry_id = session.scalars(select(ListEntry.id).where(ListEntry.subject_id == actor.subject_id)).first()
    case = case_service.file_case(session, "objection", actor, {"list_entry_id": entry_id, "grounds": GROUNDS}, now=now)
    case_service.take_action(session, case.id, "accept", actor_for(find_user(session, "office")), now=now)
    session.commit()
    return session.scalar(select(Timer).where(Timer.case_id == case.id, Timer.kind == "verification"))


def weekdays_only(session, year):
    calendar_imports.import_arrangement(session, json.dumps({"year": year, "days_off": [f"{year}-01-01"], "working_days": []}),
                                        f"{year}.json", ADMIN)
    session.commit()


def admin_notices(session):
    return session.scalars(select(Notification.subject).join(User, User.id == Notification.user_id)
                           .where(User.username == "admin", Notification.kind == "calendar.missing")).all()


def test_a_deadline_in_a_year_without_data_waits_and_is_computed_on_import(seeded, db_session):
    accepted = datetime(2099, 12, 21, 10, tzinfo=ZONE)  # a Monday
    timer = accept(db_session, accepted)
    assert (timer.status, timer.due_on, timer.next_fire_at, timer.remaining_days) == ("unscheduled", None, None, 20)
    assert deadline_status(timer, accepted).status == "unscheduled"
    assert len(admin_notices(db_session)) == 1
    sweep(db_session, now=datetime(2100, 6, 1, tzinfo=ZONE))
    assert fired(db_session, timer.case_id) == []  # nothing to fire, nothing guessed

    weekdays_only(db_session, 2099)  # the limit still runs into 2100
    db_session.expire_all()
    assert db_session.get(Timer, timer.id).status == "unscheduled"
    assert len(admin_notices(db_session)) == 2  # now 2100 is asked for, once

    weekdays_only(db_session, 2100)
    db_session.expire_all()
    timer = db_session.get(Timer, timer.id)
    # 2099-12-22..31: 8 working days; then 12 of January 2100 (the 1st, a Friday, is off)
    assert (timer.status, timer.due_on) == ("pending", date(2100, 1, 19))
    assert timer.next_fire_at == timer.warn_at


def test_a_breach_whose_escalation_year_is_missing_fires_and_escalates_once_the_year_is_imported(seeded, db_session):
    weekdays_only(db_session, 2099)
    timer = accept(db_session, datetime(2099, 11, 30, 10, tzinfo=ZONE))
    assert timer.due_on == date(2099, 12, 28)  # 5 working days later is in 2100
    sweep(db_session, now=datetime(2099, 12, 29, 12, tzinfo=ZONE))
    assert fired(db_session, timer.case_id) == ["breach"]  # the breach is never held back
    sweep(db_session, now=datetime(2100, 1, 2, 12, tzinfo=ZONE))
    assert fired(db_session, timer.case_id) == ["breach"]  # the escalation's year is unknown: only rechecked
    weekdays_only(db_session, 2100)
    sweep(db_session, now=datetime(2100, 1, 3, 12, tzinfo=ZONE))
    assert fired(db_session, timer.case_id) == ["breach"]  # due: end of 2100-01-05 (29, 30, 31 Dec, 4, 5 Jan)
    sweep(db_session, now=datetime(2100, 1, 6, 0, 1, tzinfo=ZONE))
    sweep(db_session, now=datetime(2100, 1, 7, 12, tzinfo=ZONE))
    assert fired(db_session, timer.case_id) == ["breach", "escalate"]  # once


def test_a_waiting_limit_is_paused_and_resumed_like_any_other(seeded, db_session):
    weekdays_only(db_session, 2099)  # 2100 is missing: the office's 3 working days from 2099-12-29 run into it
    applicant = actor_for(find_user(db_session, "applicant"))
    office = actor_for(find_user(db_session, "office"))
    entry_id = db_session.scalars(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)).first()
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS},
                                  now=datetime(2099, 12, 29, 10, tzinfo=ZONE))  # a Tuesday
    timer = db_session.scalar(select(Timer).where(Timer.case_id == case.id))
    assert (timer.status, timer.remaining_days) == ("unscheduled", 3)
    case_service.take_action(db_session, case.id, "request_supplement", office, {"reason": "补充材料"},
                             now=datetime(2099, 12, 30, 10, tzinfo=ZONE))  # the 30th is used: 2 days left
    assert (timer.status, timer.remaining_days) == ("paused", 2)
    case_service.take_action(db_session, case.id, "supplement", applicant, {"note": "已补充"},
                             now=datetime(2099, 12, 31, 10, tzinfo=ZONE))
    assert (timer.status, timer.remaining_days) == ("unscheduled", 2)  # still runs into 2100
    db_session.commit()
    weekdays_only(db_session, 2100)  # 2100-01-01 (a Friday) is off: the 4th and the 5th
    db_session.expire_all()
    assert db_session.get(Timer, timer.id).due_on == date(2100, 1, 5)


def fired(session, case_id):
    return session.scalars(select(OutboxEvent.kind).where(OutboxEvent.case_id == case_id)
                           .where(OutboxEvent.kind.in_(["warn", "breach", "escalate"]))
                           .order_by(OutboxEvent.id)).all()
