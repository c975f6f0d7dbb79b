"""An administrator's import of a year's holiday arrangement: stored, installed, and every deadline that
waited for that year computed now."""
from __future__ import annotations

from sqlalchemy.orm import Session

from sla import arrangement_files, calendar
from workflows.domain.errors import InvalidInput
from workflows.domain.process import Actor
from workflows.services.admin.calendar import install_from
from workflows.services.casework import history, timers
from workflows.store.base import utcnow
from workflows.store.models import CalendarYear


def import_arrangement(session: Session, text: str, filename: str, actor: Actor, *,
                       year: int | None = None) -> CalendarYear:
    """Parse, validate and store a year's arrangement; it takes precedence over the packaged data.

    `year`, when given, is the year the caller means to replace: an arrangement of another year is refused."""
    try:
        arrangement = arrangement_files.parse_arrangement(text, filename)
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
    timers.schedule_waiting(session)  # deadlines that waited for this year are computed now
    return row
