"""The product's clock: every "now" the product reads comes from here, so that time is an input.

In production it is the system clock, in UTC. Two controls exist for tests and demos only:

- a *day shift* for the whole process: the product runs as if today (Asia/Shanghai) were another
  day, its time of day and its ticking real. `CREDIT_CASES_TODAY=YYYY-MM-DD` sets it in every part
  started with `CREDIT_CASES_TESTING` or `CREDIT_CASES_DEMO` (see `workflows.config`), and the
  test suite's `--today` option sets it for the suite and the servers it starts;
- a *travel* to an instant, frozen or ticking from there, which a test sets and takes back
  (`with travel(instant): ...`); it takes precedence over the day shift.

Pure Python; safe to read from any thread (each control is one reference, swapped whole).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Iterator
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")

_shift = timedelta(0)  # the day shift: whole days added to the system clock
_travel: tuple[datetime, datetime | None] | None = None  # (instant, system time when set; None: frozen)


def _system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The product's current instant (aware, UTC)."""
    travel = _travel
    if travel is not None:
        instant, set_at = travel
        return instant if set_at is None else instant + (_system_now() - set_at)
    return _system_now() + _shift


def today() -> date:
    """The product's current date in Asia/Shanghai, the date every limit is counted from."""
    return now().astimezone(ZONE).date()


def shift_to_day(day: date | None) -> None:
    """Run the whole process as if today (Asia/Shanghai) were `day`; None: the real day again."""
    global _shift
    if day is None:
        _shift = timedelta(0)
        return
    real_today = _system_now().astimezone(ZONE).date()
    _shift = timedelta(days=(day - real_today).days)


def shifted_day() -> date | None:
    """The day the process was shifted to, or None when it runs on the real date."""
    return today() if _shift else None


def parse_day(text: str) -> date:
    """A day given as YYYY-MM-DD, refused with the expected form otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date (expected YYYY-MM-DD): {text!r}") from None


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant on a Shanghai day, for tests and demos: `travel(at(date(2026, 9, 28)))`."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


@contextmanager
def travel(instant: datetime | date, *, tick: bool = True) -> Iterator[None]:
    """Set the clock to `instant` (a date means 10:00 that day in Shanghai) for the block, then take it back."""
    global _travel
    if not isinstance(instant, datetime):
        instant = at(instant)
    if instant.tzinfo is None:
        raise ValueError("travel needs an aware datetime")
    previous = _travel
    _travel = (instant.astimezone(UTC), _system_now() if tick else None)
    try:
        yield
    finally:
        _travel = previous
