"""One pass over the SLA timers: each due timer fires once, as an outbox event for its process flow.

Safe to run in several processes at once: rows are claimed with FOR UPDATE SKIP LOCKED on
PostgreSQL, and every firing is a conditional UPDATE that only one sweeper can win. The query
reads only rows whose `next_fire_at` has come (an index), so the cost follows the due rows.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.services import history, outbox
from workflows.store.base import utcnow
from workflows.store.cases import Case, Timer

SWEEPER = Actor.system("sla")
BATCH = 500


def due_timers(session: Session, now: datetime, limit: int = BATCH) -> list[Timer]:
    query = (
        select(Timer)
        .where(Timer.next_fire_at <= now, Timer.status.in_(("pending", "warned")))
        .order_by(Timer.next_fire_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _claim(session: Session, timer: Timer, expected_status: str, **values) -> bool:
    """Move the timer on only if no other sweeper did meanwhile."""
    result = session.execute(
        update(Timer)
        .where(Timer.id == timer.id, Timer.status == expected_status, Timer.next_fire_at == timer.next_fire_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def fire(session: Session, timer: Timer, now: datetime) -> bool:
    case = session.get(Case, timer.case_id)
    if now >= timer.due_at:
        if not _claim(session, timer, timer.status, status="breached", breached_at=now, next_fire_at=None):
            return False
        kind = "breach"
    else:
        if not _claim(session, timer, "pending", status="warned", warned_at=now, next_fire_at=timer.due_at):
            return False
        kind = "warn"
    history.record(session, actor=SWEEPER, action=kind, entity_type="case", entity_id=case.id, case_id=case.id,
                   at=now, data={"timer_id": timer.id, "deadline": timer.kind, "due_on": timer.due_on.isoformat()})
    outbox.emit(session, case, kind, now, timer_id=timer.id, deadline=timer.kind, due_on=timer.due_on.isoformat())
    return True


def sweep(session: Session, *, now: datetime | None = None) -> int:
    """Fire every due timer once; commits after each batch; returns how many fired."""
    now = now or utcnow()
    fired = 0
    while True:
        batch = due_timers(session, now)
        if not batch:
            return fired
        fired += sum(fire(session, timer, now) for timer in batch)
        session.commit()
        if len(batch) < BATCH:
            return fired
