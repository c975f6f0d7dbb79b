"""Deadline arithmetic with a controlled clock, across the National Day and Spring Festival holidays."""
from datetime import UTC, date, datetime

import pytest

from sla import deadlines
from sla.calendar import ZONE

pytestmark = pytest.mark.clock  # deadline-sensitive: run again with the clock shifted


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


def test_a_limit_no_longer_than_the_warning_window_warns_on_its_last_working_day_not_at_filing():
    # filed Monday 2026-11-02, 3 working days: due Thursday 11-05; the warning comes as Thursday starts
    plan = deadlines.schedule(at(2026, 11, 2), 3, 3)
    assert plan.due_on == date(2026, 11, 5)
    assert plan.warn_at == datetime(2026, 11, 5, 0, 0, tzinfo=ZONE)
    # over a weekend: filed Thursday 11-05 with 1 working day, due Friday; warned as Friday starts
    assert deadlines.schedule(at(2026, 11, 5), 1, 3).warn_at == datetime(2026, 11, 6, 0, 0, tzinfo=ZONE)
    # and over a holiday: accepted 2026-09-30 with 2 days, due 2026-10-09 (10-01..07 off, 10-08 working)
    plan = deadlines.schedule(at(2026, 9, 30), 2, 3)
    assert (plan.due_on, plan.warn_at) == (date(2026, 10, 9), datetime(2026, 10, 9, 0, 0, tzinfo=ZONE))


def test_a_longer_limit_warns_when_the_warning_window_is_left():
    plan = deadlines.schedule(at(2026, 11, 2), 10, 3)  # due Monday 11-16; 7 of its working days are used when Wednesday 11-11 ends
    assert plan.due_on == date(2026, 11, 16)
    assert plan.warn_at == datetime(2026, 11, 12, 0, 0, tzinfo=ZONE)
    # from then on the day itself and the two after it are all that is left: 12, 13 and 16 November
    assert deadlines.remaining_working_days(plan.warn_at, plan.due_on) == 2


def test_no_warning_window_warns_at_the_end():
    plan = deadlines.schedule(at(2026, 11, 2), 10, 0)
    assert plan.warn_at == plan.due_at


def test_remaining_and_overdue():
    due = date(2026, 10, 30)
    assert deadlines.remaining_working_days(at(2026, 10, 27), due) == 3
    assert not deadlines.is_overdue(at(2026, 10, 30, 23), due)
    assert deadlines.is_overdue(at(2026, 10, 31, 0), due)
    assert deadlines.working_days_overdue(at(2026, 11, 3), due) == 2  # Mon 2, Tue 3
