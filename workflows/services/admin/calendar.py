"""The administrator's holiday arrangements: imported into the database, installed into sla.calendar."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.errors import CalendarYearMissing, NotFound
from workflows.domain.roles import Role
from workflows.services.deliveries import notify
from workflows.store import config_stamps
from workflows.store.models import CalendarYear

_YEARS_TO_ASK_FOR = "calendar_years_to_ask_for"  # in session.info, which outlives the refused transaction


@contextmanager
def needed_for_a_date_told(session: Session) -> Iterator[None]:
    """Around work that must tell a person a date now (a materials deadline in a notice, a reply-by date):
    refused with the missing year named when the calendar lacks it. The refusal rolls the work back;
    `ask_for_missing_years`, called after that rollback, asks the administrators for the year."""
    try:
        yield
    except calendar.CalendarDataMissing as missing:
        session.info.setdefault(_YEARS_TO_ASK_FOR, set()).add(missing.year)
        raise CalendarYearMissing(missing.year) from None


def ask_for_missing_years(session: Session) -> bool:
    """After a refused action's rollback: tell the administrators of each year it missed (once per year)."""
    years = session.info.pop(_YEARS_TO_ASK_FOR, set())
    for year in sorted(years):
        ask_for_year(session, year)
    return bool(years)


def ask_for_year(session: Session, year: int) -> None:
    """One inbox notice per missing year to the administrators (the notice key keeps it to one)."""
    admins = notify.users_with_role(session, Role.ADMINISTRATOR)
    notify.notice(session, "calendar.missing", admins, year=year)


def effective_arrangement(session: Session, year: int) -> calendar.YearArrangement:
    """The arrangement deadlines use for a year (imported, else packaged), as the export gives it."""
    install_from(session)
    effective = calendar.default_calendar()
    if not effective.has_year(year):
        raise NotFound("no holiday arrangement for this year", field="year", details={"year": year})
    return effective.arrangement(year)


def arrangements(session: Session) -> list[calendar.YearArrangement]:
    return [_arrangement(row.year, row.days_off, row.working_days)
            for row in session.scalars(select(CalendarYear).order_by(CalendarYear.year))]


def _arrangement(year: int, days_off, working_days) -> calendar.YearArrangement:
    return calendar.YearArrangement(year=year, days_off=frozenset(date.fromisoformat(d) for d in days_off),
                                    working_days=frozenset(date.fromisoformat(d) for d in working_days))


_installed: tuple | None = None  # (stamp, imported rows, the calendar built from them) in this process


def install_from(session: Session) -> None:
    """Make this process's calendar what the database holds: another process may have imported a year.

    The calendar is kept under the stamp of `calendar_years` it was read with (workflows/store/config_stamps):
    while the stamp is the same, nothing is read but the stamps, once per transaction; when it changed, the rows
    are read (a row per imported year) and the calendar rebuilt if they differ, compared by content. So an
    import takes effect in every process at its next transaction after the commit."""
    global _installed
    stamp = config_stamps.current(session).get(config_stamps.CALENDAR)
    installed = _installed
    if (stamp is not None and installed is not None and installed[0] == stamp
            and installed[2] is calendar.default_calendar()):
        return
    rows = tuple((year, tuple(off), tuple(working)) for year, off, working in session.execute(
        select(CalendarYear.year, CalendarYear.days_off, CalendarYear.working_days).order_by(CalendarYear.year)))
    if installed is None or installed[1] != rows or installed[2] is not calendar.default_calendar():
        calendar.install_arrangements(_arrangement(*row) for row in rows)
    _installed = stamp, rows, calendar.default_calendar()
