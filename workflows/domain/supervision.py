"""Supervision (督办) rules that need no database: reporting periods, months, rates and medians.

Pure on purpose: the dashboard, the monthly report job and the tests share these, and take `today`
as a parameter.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import N_, InvalidInput

MONTH_PATTERN = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")
#: the deadline of a department's reply to an urging: a timer kind of its own, not a legal limit
URGING_DEADLINE = "urging_reply"
#: whose step a deadline times; an applicant's own limit is no department's breach
DEPARTMENT_OWNERS = ("department", "accepting_office")
#: an open case's deadline status, worst first
DEADLINE_STATUSES = ("overdue", "due_soon", "on_track", "paused")
#: the days a period, a month or a date filter may name: far enough for any record, near enough to compute
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in Asia/Shanghai."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise InvalidInput(N_("the period ends (%(end)s) before it starts (%(start)s)"), field="end",
                               end=self.end.isoformat(), start=self.start.isoformat())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def check_day(day: date, field: str) -> date:
    """A day within the range the product computes with (FIRST_DAY to LAST_DAY)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(N_("%(day)s is out of range: choose a day from %(first)s to %(last)s"), field=field,
                           day=day.isoformat(), first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
    return day


def month_period(month: str, today: date) -> Period:
    """The period of a month "YYYY-MM"; a month that has not ended yet has no report."""
    match = MONTH_PATTERN.fullmatch((month or "").strip())
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise InvalidInput(N_("'%(value)s' is not a month (expected YYYY-MM)"), field="month", value=month)
    if not FIRST_DAY.year <= int(match["year"]) <= LAST_DAY.year:
        raise InvalidInput(N_("'%(value)s' is out of range: choose a month from %(first)s to %(last)s"),
                           field="month", value=month, first=FIRST_DAY.year, last=LAST_DAY.year)
    start = date(int(match["year"]), int(match["month"]), 1)
    end = next_month(start) - timedelta(days=1)
    if end >= today:
        raise InvalidInput(N_("the month %(month)s has not ended yet: its report can only be made from %(day)s on"),
                           field="month", month=month, day=(end + timedelta(days=1)).isoformat())
    return Period(start, end)


def check_not_future(period: Period, today: date) -> Period:
    if period.start > today:
        raise InvalidInput(N_("the period starts in the future (%(start)s)"), field="start",
                           start=period.start.isoformat())
    return period


def chosen_period(start: date | None, end: date | None, today: date) -> Period:
    """The period a reader asks for: by default this month up to today; a start alone runs to today, an end
    alone starts on the first of its month. It may not start in the future."""
    for field, day in (("start", start), ("end", end)):
        if day is not None:
            check_day(day, field)
    end = end or (today if start is None or start <= today else start)
    start = start or end.replace(day=1)
    return check_not_future(Period(start, end), today)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def previous_month(day: date) -> str:
    return month_of(day.replace(day=1) - timedelta(days=1))


def months_ending(last: date, count: int) -> list[date]:
    """The first days of the `count` months that end with `last`'s month, oldest first."""
    firsts = [last.replace(day=1)]
    for _ in range(count - 1):
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    return firsts


def compliance_rate(met: int, breached: int) -> float | None:
    """Share of deadlines met among those decided (met or breached); None when none was."""
    decided = met + breached
    return None if decided == 0 else met / decided


def weighted_median(pairs: Iterable[tuple[float, int]]) -> float | None:
    """The median of values given as (value, how many times); the mean of the two middle ones when even."""
    ordered = sorted((value, count) for value, count in pairs if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value, count in ordered:
        if low is None and seen + count > low_rank:
            low = value
        if seen + count > high_rank:
            high = value
            break
        seen += count
    return (low + high) / 2


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of an open case's deadline statuses ('' when it has none)."""
    found = set(statuses)
    return next((s for s in DEADLINE_STATUSES if s in found), "")
