"""Working-day calendar for SLA deadlines (mainland China, Asia/Shanghai).

A day is a working day iff it is Monday-Friday and not a statutory day off, or it is a make-up
working day (调休). Data per year comes from an administrator's import if there is one (it fully
replaces the packaged data for that year), else from the ``chinese_calendar`` package. A year with
neither raises CalendarDataMissing: we never fall back to "weekends only", because a deadline
computed from a missing arrangement would be silently wrong.

Limits: ``add_working_days(start, n)`` is the n-th working day after ``start`` (start not counted);
``working_days_between(start, end)`` counts working days d with start < d <= end. A limit ends at
the end of its last day: ``day_end_exclusive(due)`` is the next day's 00:00 in Asia/Shanghai, and a
limit is overdue iff ``now >= day_end_exclusive(due)`` (exclusive, so no 23:59:59.999999 rounding).

Pure Python on purpose: used by the web app, the Prefect flows and the scheduler alike.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

import chinese_calendar

ZONE = ZoneInfo("Asia/Shanghai")
_ONE_DAY = timedelta(days=1)


def N_(message: str) -> str:
    """Marks a message id for extraction; the web layer translates it (workflows.domain.errors.N_ alike)."""
    return message


class CalendarDataMissing(Exception):
    """No arrangement (imported or packaged) for ``year``: deadlines in it cannot be computed."""

    msgid = N_("No working-day calendar data for %(year)s: import the year's holiday arrangement first")

    def __init__(self, year: int):
        self.year = year
        self.params = {"year": year}
        super().__init__(self.msgid % self.params)


class CalendarFileError(ValueError):
    """An invalid import file; ``field`` says where ("days_off[3]", "row 5, column date").

    ``msgid`` is the problem's message id with ``%(name)s`` placeholders, ``params`` their values and
    ``message`` the English text with them filled in."""

    def __init__(self, field: str, message: str, **params):
        self.field, self.msgid, self.params = field, message, params
        self.message = message % params if params else message
        super().__init__(f"{field}: {self.message}")


@dataclass(frozen=True)
class YearArrangement:
    """One year's State Council arrangement: statutory days off and make-up working days."""
    year: int
    days_off: frozenset[date]
    working_days: frozenset[date]

    def __post_init__(self):
        # Coerce so callers may pass lists/sets; validate so a bad DB row cannot skew deadlines.
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "working_days", frozenset(self.working_days))
        if any(d.year != self.year for d in self.days_off | self.working_days):
            raise ValueError(f"arrangement for {self.year} contains dates of another year")
        if self.days_off & self.working_days:
            raise ValueError(f"arrangement for {self.year} has days both off and working")

    def is_working_day(self, day: date) -> bool:
        return day in self.working_days or (day.weekday() < 5 and day not in self.days_off)


def _days_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += _ONE_DAY


@lru_cache(maxsize=None)
def _packaged_ordinals(year: int) -> tuple[int, ...]:
    """Sorted working-day ordinals of a year from chinese_calendar (immutable: cached globally)."""
    if not MINYEAR <= year <= MAXYEAR:
        raise CalendarDataMissing(year)
    try:
        return tuple(d.toordinal() for d in _days_of(year) if chinese_calendar.is_workday(d))
    except NotImplementedError:  # chinese_calendar's way of saying "no data for this year"
        raise CalendarDataMissing(year) from None


def _check_day(value) -> None:
    # A datetime is a date subclass; passing a UTC instant would silently shift the day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"expected a datetime.date (use local_date() for instants), got {value!r}")


class WorkingCalendar:
    """Packaged data plus administrator imports. Immutable after construction, so thread-safe."""

    def __init__(self, arrangements: Iterable[YearArrangement] = ()):
        self._imported: dict[int, YearArrangement] = {}
        for arrangement in arrangements:
            if arrangement.year in self._imported:
                raise ValueError(f"two arrangements for {arrangement.year}")
            self._imported[arrangement.year] = arrangement
        # Precomputed eagerly (≈365 checks per year) so lookups never mutate shared state.
        self._imported_ordinals = {
            year: tuple(d.toordinal() for d in _days_of(year) if a.is_working_day(d))
            for year, a in self._imported.items()}

    def _ordinals(self, year: int) -> tuple[int, ...]:
        found = self._imported_ordinals.get(year)
        return found if found is not None else _packaged_ordinals(year)

    def source(self, year: int) -> str | None:
        if year in self._imported:
            return "imported"
        try:
            _packaged_ordinals(year)
        except CalendarDataMissing:
            return None
        return "packaged"

    def has_year(self, year: int) -> bool:
        return self.source(year) is not None

    def arrangement(self, year: int) -> YearArrangement:
        """The effective arrangement of a year (e.g. to prefill an import form or export it)."""
        if year in self._imported:
            return self._imported[year]
        working = {date.fromordinal(o) for o in _packaged_ordinals(year)}
        return YearArrangement(
            year, frozenset(d for d in _days_of(year) if d.weekday() < 5 and d not in working),
            frozenset(d for d in working if d.weekday() >= 5))

    def is_working_day(self, day: date) -> bool:
        _check_day(day)
        ordinals, o = self._ordinals(day.year), day.toordinal()
        i = bisect_left(ordinals, o)
        return i < len(ordinals) and ordinals[i] == o

    def add_working_days(self, start: date, days: int) -> date:
        _check_day(start)
        if not isinstance(days, int) or isinstance(days, bool):
            raise TypeError(f"days must be an int, got {days!r}")
        if days < 0:
            raise ValueError("days must be >= 0")
        if days == 0:
            return start
        remaining, after = days, start.toordinal()
        # Start in the year of the first counted day, so Dec 31 needs no data for its own year.
        year = start.year + 1 if (start.month, start.day) == (12, 31) else start.year
        while True:  # one iteration per calendar year crossed
            ordinals = self._ordinals(year)
            pos = bisect_right(ordinals, after)
            if remaining <= len(ordinals) - pos:
                return date.fromordinal(ordinals[pos + remaining - 1])
            remaining -= len(ordinals) - pos
            year += 1

    def working_days_between(self, start: date, end: date) -> int:
        _check_day(start)
        _check_day(end)
        if end <= start:
            return 0
        first, total = start + _ONE_DAY, 0
        for year in range(first.year, end.year + 1):
            ordinals = self._ordinals(year)
            lo = max(first, date(year, 1, 1)).toordinal()
            total += bisect_right(ordinals, min(end, date(year, 12, 31)).toordinal())
            total -= bisect_left(ordinals, lo)
        return total


_default = WorkingCalendar()


def default_calendar() -> WorkingCalendar:
    return _default


def install_arrangements(arrangements: Iterable[YearArrangement]) -> None:
    """Replace the default calendar's imports. Builds a new calendar, then swaps the reference
    (a single assignment), so concurrent readers see either the old or the new one, never a mix."""
    global _default
    _default = WorkingCalendar(arrangements)


# The State Council publishes a year's arrangement in November of the year before: from then on, a missing
# next year is worth telling the administrator before deadlines begin to run into it.
NEXT_YEAR_WATCH_FROM = (11, 1)  # (month, day)


def missing_next_year(today: date, cal: WorkingCalendar) -> int | None:
    """Next year, if ``today`` is on or after 1 November and ``cal`` has no arrangement for it; else None."""
    _check_day(today)
    if (today.month, today.day) < NEXT_YEAR_WATCH_FROM or today.year >= MAXYEAR:
        return None
    return None if cal.has_year(today.year + 1) else today.year + 1


def is_working_day(day: date) -> bool:
    return _default.is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    return _default.add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    return _default.working_days_between(start, end)


def local_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar date of an instant; naive datetimes are taken as UTC."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(ZONE).date()


def day_start(day: date) -> datetime:
    """The start of ``day`` in Asia/Shanghai (00:00, +08:00)."""
    return datetime.combine(day, time(0), tzinfo=ZONE)


def day_end_exclusive(day: date) -> datetime:
    """Exclusive end of ``day`` in Asia/Shanghai: the next day's 00:00 (+08:00, no DST)."""
    return datetime.combine(day + _ONE_DAY, time(0), tzinfo=ZONE)
