"""The administrator's holiday arrangements: imported into the database, installed into sla.calendar."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.errors import CalendarYearMissing, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.store.base import utcnow
from workflows.store.models import CalendarYear

from . import history, notify


def import_arrangement(session: Session, text: str, filename: str, actor: Actor, *,
                       year: int | None = None) -> CalendarYear:
    """Parse, validate and store a year's arrangement; it takes precedence over the packaged data.

    `year`, when given, is the year the caller means to replace: an arrangement of another year is refused."""
    try:
        arrangement = calendar.parse_arrangement(text, filename)
    except calendar.CalendarFileError as error:
        raise InvalidInput(error.msgid, field=error.field, **error.params) from None
    if year is not None and arrangement.year != year:
        raise InvalidInput("the arrangement is for another year than the one being replaced", field="year",
                           details={"expected": year, "got": arrangement.year})
    row = session.get(CalendarYear, arrangement.year)
    replaced = row is not None
    if row is None:
        row = CalendarYear(year=arrangement.year)
        session.add(row)
    row.days_off = sorted(d.isoformat() for d in arrangement.days_off)
    row.working_days = sorted(d.isoformat() for d in arrangement.working_days)
    row.source_filename, row.imported_by_id, row.imported_at = filename[:200], actor.user_id, utcnow()
    history.record(session, actor=actor, action="import_calendar", entity_type="calendar_year",
                   entity_id=arrangement.year, data={"replaced": replaced, "file": filename,
                                                      "days_off": len(row.days_off),
                                                      "working_days": len(row.working_days)})
    session.flush()
    install_from(session)
    from . import timers  # deadlines that waited for this year are computed now

    timers.schedule_waiting(session)
    return row


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


_installed: tuple | None = None  # (imported rows, the calendar built from them) in this process


def install_from(session: Session) -> None:
    """Make this process's calendar what the database holds: another process may have imported a year.

    One small query (a row per imported year); the calendar is rebuilt only when the rows differ, compared
    by content, so an import takes effect in every process at its next computation after the commit."""
    global _installed
    rows = tuple((year, tuple(off), tuple(working)) for year, off, working in session.execute(
        select(CalendarYear.year, CalendarYear.days_off, CalendarYear.working_days).order_by(CalendarYear.year)))
    if _installed is None or _installed[0] != rows or _installed[1] is not calendar.default_calendar():
        calendar.install_arrangements(_arrangement(*row) for row in rows)
        _installed = rows, calendar.default_calendar()
