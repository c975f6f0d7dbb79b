"""The administrator's holiday arrangements: imported into the database, installed into sla.calendar."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.store.base import utcnow
from workflows.store.models import CalendarYear

from . import history


def import_arrangement(session: Session, text: str, filename: str, actor: Actor, *,
                       year: int | None = None) -> CalendarYear:
    """Parse, validate and store a year's arrangement; it takes precedence over the packaged data.

    `year`, when given, is the year the caller means to replace: an arrangement of another year is refused."""
    try:
        arrangement = calendar.parse_arrangement(text, filename)
    except calendar.CalendarFileError as error:
        raise InvalidInput(error.message, field=error.field) from None
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


def effective_arrangement(session: Session, year: int) -> calendar.YearArrangement:
    """The arrangement deadlines use for a year (imported, else packaged), as the export gives it."""
    install_from(session)
    effective = calendar.default_calendar()
    if not effective.has_year(year):
        raise NotFound("no holiday arrangement for this year", field="year", details={"year": year})
    return effective.arrangement(year)


def arrangements(session: Session) -> list[calendar.YearArrangement]:
    return [
        calendar.YearArrangement(
            year=row.year,
            days_off=frozenset(date.fromisoformat(d) for d in row.days_off),
            working_days=frozenset(date.fromisoformat(d) for d in row.working_days),
        )
        for row in session.scalars(select(CalendarYear).order_by(CalendarYear.year))
    ]


_installed_stamp: tuple | None = None


def install_from(session: Session) -> None:
    """Make the default calendar reflect the database (another process may have imported a year)."""
    global _installed_stamp
    stamp = session.execute(select(func.count(), func.max(CalendarYear.imported_at))).one()
    stamp = tuple(stamp)
    if stamp != _installed_stamp:
        calendar.install_arrangements(arrangements(session))
        _installed_stamp = stamp
