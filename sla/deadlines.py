"""Deadline arithmetic for SLA timers, in working days (pure: takes `now`, no database).

A limit of N working days starts the day after the triggering instant's Shanghai date and ends at
the end of its N-th working day. A paused clock keeps the working days it had left and, when
resumed, counts them again from the day after the resume.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from . import calendar


@dataclass(frozen=True)
class Schedule:
    due_on: date  # last working day of the limit
    due_at: datetime  # exclusive end: overdue from this instant on
    warn_at: datetime  # when the warning fires


def schedule(start: datetime, working_days: int, warning_days: int) -> Schedule:
    """Due and warning instants for a limit starting at `start` (aware datetime).

    The warning comes when `warning_days` working days of the limit are left; a limit no longer than
    that warns at the start of its last working day, never at its start."""
    start_day = calendar.local_date(start)
    due_on = calendar.add_working_days(start_day, working_days)
    if working_days > warning_days:
        warn_at = calendar.day_end_exclusive(calendar.add_working_days(start_day, working_days - warning_days))
    else:
        warn_at = calendar.day_start(due_on)
    return Schedule(due_on, calendar.day_end_exclusive(due_on), max(warn_at, start))


def remaining_working_days(now: datetime, due_on: date) -> int:
    """Working days left after today up to the due day; today itself counts as used."""
    return calendar.working_days_between(calendar.local_date(now), due_on)


def working_days_overdue(now: datetime, due_on: date) -> int:
    """Working days past the due day, counting today if it is a working day."""
    today = calendar.local_date(now)
    return calendar.working_days_between(due_on, today) if today > due_on else 0


def is_overdue(now: datetime, due_on: date) -> bool:
    return now >= calendar.day_end_exclusive(due_on)
