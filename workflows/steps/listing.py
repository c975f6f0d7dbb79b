"""The listing flow: after a listing (or a whole import) is recorded, each implementing department is told."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.roles import Role
from workflows.services.deliveries import notify, platform, webhooks
from workflows.services.lists import instructions
from workflows.services.lists.consequences import once, subject_name
from workflows.store.automation import OutboxEvent
from workflows.store.models import ListEntry, Measure

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("listing")


LINES_PER_NOTICE = 100


@step
def tell_departments(session: Session, event: OutboxEvent, case: None) -> StepResult:
    """One notice per implementing department naming the measures it is to apply, and its webhook messages."""
    if not once(session, event.id, "tell_departments"):
        return StepResult()
    ids = list(event.payload.get("list_entry_ids", []))
    measures: list[Measure] = []
    for start in range(0, len(ids), 500):
        measures += session.scalars(
            select(Measure).where(Measure.list_entry_id.in_(ids[start:start + 500]))
            .options(selectinload(Measure.entry).selectinload(ListEntry.subject), selectinload(Measure.catalogue))
            .order_by(Measure.id)).all()
    by_department: dict[int, list[Measure]] = {}
    for measure in measures:
        by_department.setdefault(measure.department_id, []).append(measure)
    notices: list[int] = []
    for department_id, items in by_department.items():
        lines = [{"measure": notify.bilingual(m.catalogue.name, m.catalogue.name_en), "name": subject_name(m.entry),
                  "list": m.entry.list_kind, "entry": m.entry.id, "until": m.entry.valid_until.isoformat()}
                 for m in items[:LINES_PER_NOTICE]]
        more = len(items) - LINES_PER_NOTICE
        notices += notify.notice(
            session, "listing.apply.more" if more > 0 else "listing.apply",
            notify.users_with_role(session, Role.IMPLEMENTING_DEPARTMENT, department_id),
            key={"event": event.id, "department_id": department_id}, count=len(items), items=lines, more=more)
    told = instructions.issue(session, event, measures, "apply")
    webhooks.record_changes(session, event, [webhooks.MeasureChange(m, m.entry, "apply", None, m.status, told[m.id])
                                             for m in measures])
    return StepResult(notices, report_listings(session, event))


def report_listings(session: Session, event: OutboxEvent) -> int | None:
    """The new listings reported to the platform in the same step (one delivery for the event)."""
    ids = list(event.payload.get("list_entry_ids", []))
    entries: list[ListEntry] = []
    for start in range(0, len(ids), 500):
        entries += session.scalars(select(ListEntry).where(ListEntry.id.in_(ids[start:start + 500]))
                                   .options(selectinload(ListEntry.subject), selectinload(ListEntry.department),
                                            selectinload(ListEntry.measures).selectinload(Measure.catalogue))
                                   .order_by(ListEntry.id)).all()
    delivery = platform.record_listings(session, event.id, entries, runtime().config)
    return delivery.id if delivery else None


PLAN: dict[str, list[str]] = {"listed": ["listing.tell_departments"]}


