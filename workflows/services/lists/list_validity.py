"""A list entry's validity as a timer row (`sla_timers.list_entry_id`, kind `validity`): armed at listing or by
the sweep for an entry listed by any path (page, API, bulk import), cancelled when the entry leaves the list.
What its expiry does is the list's own (`list_lifecycle.ON_EXPIRY`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.lists import EntryStatus, ListKind
from workflows.store.cases import Timer
from workflows.store.models import ListEntry

VALIDITY = "validity"


def start(session: Session, entry: ListEntry, now: datetime) -> Timer:
    due_at = calendar.day_end_exclusive(entry.valid_until)
    timer = Timer(list_entry_id=entry.id, kind=VALIDITY, owner="department", department_id=entry.department_id,
                  status="pending", limit_days=0, started_on=calendar.local_date(now), due_on=entry.valid_until,
                  due_at=due_at, next_fire_at=due_at, created_at=now)
    session.add(timer)
    return timer



def arm_missing(session: Session, now: datetime, limit: int = 1000) -> int:
    """A validity timer for each open entry that has none yet (every list's entries expire).
    Two sweepers arming at once may both add one: the second expiry event then finds the entry exited."""
    kinds = sorted(kind.value for kind in ListKind)
    # a timer for the entry's current validity: one whose validity was changed since is armed again
    has_timer = exists().where(Timer.list_entry_id == ListEntry.id, Timer.case_id.is_(None), Timer.kind == VALIDITY,
                               Timer.due_on == ListEntry.valid_until)
    entries = list(session.scalars(
        select(ListEntry).where(ListEntry.list_kind.in_(kinds), ListEntry.status.in_(
            [EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value]), ~has_timer).order_by(ListEntry.id).limit(limit)))
    for entry in entries:
        start(session, entry, now)
    if entries:
        session.flush()
    return len(entries)


def cancel(session: Session, entry: ListEntry, now: datetime) -> None:
    for timer in session.scalars(select(Timer).where(Timer.list_entry_id == entry.id, Timer.case_id.is_(None),
                                                     Timer.kind == VALIDITY, Timer.status == "pending")):
        timer.status, timer.ended_at, timer.next_fire_at = "cancelled", now, None
