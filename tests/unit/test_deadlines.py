"""Deadline arithmetic with a controlled clock, across the National Day and Spring Festival holidays."""
from datetime import UTC, date, datetime

from sla import deadlines
from sla.calendar import ZONE


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=ZONE)


def test_objection_accepted_before_national_day_is_due_at_end_of_october_30():
    plan = deadlines.schedule(at(2026, 9, 28), 20, 3)
    assert plan.due_on == date(2026, 10, 30)
    assert plan.due_at == datetime(2026, 10, 31, 0, 0, tzinfo=ZONE)
    # three working days before the end: warned once 2026-10-27 is over
    assert plan.warn_at == datetime(2026, 10, 28, 0, 0, tzinfo=ZONE)


def test_instant_in_utc_uses_the_shanghai_date():
    # 2026-09-27 17:00 UTC is already 2026-09-28 01:00 in Shanghai
    assert deadlines.schedule(datetime(2026, 9, 27, 17, tzinfo=UTC), 20, 3).due_on == date(2026, 10, 30)


def test_spring_festival_2026():
    # filed on Friday 2026-02-13; 2026-02-14 (Sat) is a make-up working day, 15-23 off
    plan = deadlines.schedule(at(2026, 2, 13), 3, 1)
    assert plan.due_on == date(2026, 2, 25)


def test_short_limit_warns_at_once():
    plan = deadlines.schedule(at(2026, 11, 2), 2, 3)
    assert plan.warn_at == at(2026, 11, 2)


def test_remaining_overdue_and_due_soon():
    due = date(2026, 10, 30)
    assert deadlines.remaining_working_days(at(2026, 10, 27), due) == 3
    assert deadlines.is_due_soon(at(2026, 10, 27), due, 3)
    assert not deadlines.is_due_soon(at(2026, 10, 20), due, 3)
    assert not deadlines.is_overdue(at(2026, 10, 30, 23), due)
    assert deadlines.is_overdue(at(2026, 10, 31, 0), due)
    assert deadlines.working_days_overdue(at(2026, 11, 3), due) == 2  # Mon 2, Tue 3
