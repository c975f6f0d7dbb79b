"""One pass over the SLA timers: each due timer fires once, as an outbox event for its flow.

A case's deadline warns before its end, breaches at its end, and escalates a second time after
`sla.second_escalation_days` working days overdue. A list entry's validity timer expires it at the
end of `valid_until` (an event for the "lists" flow). Deliveries whose next attempt is due are queued
for the worker's delivery lane, and the administrators are told of one still failing after a day.

Safe to run in several processes at once: rows are claimed with FOR UPDATE SKIP LOCKED on
PostgreSQL, and every firing is a conditional UPDATE that only one sweeper can win. A timer whose case
an action or a flow's event holds is passed over until a later batch: the sweep never waits for a case
while it holds a timer, the order opposite to theirs. The query
reads only rows whose `next_fire_at` has come (an index), so the cost follows the due rows.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.process import Actor
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings
from workflows.services.casework import history
from workflows.services.deliveries import outbound
from workflows.services.lists import list_validity
from workflows.store import audit_chain
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case, Timer

SWEEPER = Actor.system("sla")
BATCH = 500
FIRING = ("pending", "warned", "breached")


def due_timers(session: Session, now: datetime, limit: int = BATCH) -> list[Timer]:
    query = (
        select(Timer)
        .where(Timer.next_fire_at <= now, Timer.status.in_(FIRING))
        .order_by(Timer.next_fire_at)
        .limit(limit)
        .execution_options(populate_existing=True)  # rows moved on by UPDATEs must not be read stale
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _hold_cases(session: Session, case_ids: set[int]) -> dict[int, Case]:
    """The cases of a batch's timers, read to fire them. On PostgreSQL each is held until the batch commits, and one
    an action or a flow's event holds already is passed over (SKIP LOCKED): those hold the case first and then move
    its timers, so a sweep that waited for the case while holding its timer would deadlock with them. The hold
    reads each case's history head too, so extending its chain needs no further statement."""
    if not case_ids:
        return {}
    if session.get_bind().dialect.name != "postgresql":  # SQLite: the sweep's transaction holds the write lock
        return {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    rows = session.execute(select(Case, Case.chain_head).where(Case.id.in_(case_ids)).order_by(Case.id)
                           .with_for_update(skip_locked=True, of=Case).execution_options(populate_existing=True))
    held = {}
    for case, head in rows:
        audit_chain.mark_fresh(session, case, head)
        held[case.id] = case
    return held


def _claim(session: Session, timer: Timer, **values) -> bool:
    """Move the timer on only if no other sweeper did meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        # due_timers locked the row (FOR UPDATE) and read it after the lock: no other sweeper can move it,
        # so the change joins the batch's single flush instead of a round trip per timer
        for name, value in values.items():
            setattr(timer, name, value)
        return True
    result = session.execute(
        update(Timer)
        .where(Timer.id == timer.id, Timer.status == timer.status, Timer.next_fire_at == timer.next_fire_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


RECHECK = timedelta(hours=6)  # when the calendar lacks the escalation's year: look again later


def _escalation_instant(session: Session, timer: Timer, now: datetime) -> datetime:
    """End of the second-escalation limit; a recheck instant while its year has no calendar data."""
    days = settings.get(session, "sla.second_escalation_days")
    try:
        return calendar.day_end_exclusive(calendar.add_working_days(timer.due_on, days))
    except calendar.CalendarDataMissing:
        return now + RECHECK


def _next_step(session: Session, timer: Timer, now: datetime) -> tuple[str, dict] | None:
    """Which event this timer fires now, and how the row moves on."""
    if timer.list_entry_id is not None and timer.case_id is None:
        # a validity that ran its course: neither a met nor a missed legal deadline in the statistics
        return "expire", dict(status="expired", ended_at=now, next_fire_at=None)
    if timer.status == "breached":
        at = _escalation_instant(session, timer, now)
        if now < at:  # fired early to recheck a calendar that lacked the year: only move on
            return "", dict(next_fire_at=at)
        return "escalate", dict(escalated_at=now, next_fire_at=None)
    if now >= timer.due_at:
        return "breach", dict(status="breached", breached_at=now, next_fire_at=_escalation_instant(session, timer, now))
    if timer.status == "pending":
        return "warn", dict(status="warned", warned_at=now, next_fire_at=timer.due_at)
    return None


def fire(session: Session, timer: Timer, now: datetime) -> bool:
    step = _next_step(session, timer, now)
    if step is None or not _claim(session, timer, **step[1]):
        return False
    kind = step[0]
    if not kind:
        return False
    payload = {"timer_id": timer.id, "deadline": timer.kind, "due_on": timer.due_on.isoformat() if timer.due_on else None}
    if timer.case_id is not None:
        case = session.get(Case, timer.case_id)
        process, entity, entity_id = case.process, "case", case.id
    else:
        process, entity, entity_id = "lists", "list_entry", timer.list_entry_id
        payload["list_entry_id"] = timer.list_entry_id
    history.record(session, actor=SWEEPER, action=kind, entity_type=entity, entity_id=entity_id,
                   case_id=timer.case_id, at=now, data=payload)
    session.add(OutboxEvent(process=process, kind=kind, case_id=timer.case_id, payload=payload,
                            available_at=min(now, utcnow()), created_at=now))
    return True


def sweep(session: Session, *, now: datetime | None = None) -> int:
    """Fire every due timer once; commits after each batch; returns how many fired."""
    now = now or utcnow()
    calendar_service.install_from(session)
    if list_validity.arm_missing(session, now):  # entries listed by any path get their expiry timer
        session.commit()
    # what is owed outside: rounds that came due queued for the worker's delivery lane; the administrators told
    # of a delivery still failing after a day
    if outbound.requeue_due(session, now) + outbound.alert_failing(session, now):
        session.commit()
    fired = 0
    while True:
        batch = due_timers(session, now)
        if not batch:
            return fired
        cases = _hold_cases(session, {t.case_id for t in batch if t.case_id})  # kept: the identity map is weak
        ready = [t for t in batch if t.case_id is None or t.case_id in cases]
        with session.no_autoflush:  # one flush per batch: the history chain is extended once, inserts are batched
            fired += sum(fire(session, timer, now) for timer in ready)
        session.commit()
        if len(batch) < BATCH or not ready:  # a timer passed over is fired by a later batch or tick
            return fired
