"""The listing flow: after a listing (or a whole import) is recorded, each implementing department is told."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.roles import Role
from workflows.services import notify, webhooks
from workflows.services.consequences import LIST_NAMES, once
from workflows.store.automation import OutboxEvent
from workflows.store.models import ListEntry, Measure

from .base import StepResult, Steps

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
        lines = [f"- {m.catalogue.name}：{m.entry.subject.name if m.entry.subject else '#'}"
                 f"（{LIST_NAMES.get(m.entry.list_kind, m.entry.list_kind)}条目 #{m.entry.id}，有效期至 {m.entry.valid_until}）"
                 for m in items[:LINES_PER_NOTICE]]
        if len(items) > LINES_PER_NOTICE:
            lines.append(f"……另有 {len(items) - LINES_PER_NOTICE} 项 / and {len(items) - LINES_PER_NOTICE} more")
        notices += notify.notify(
            session, notify.users_with_role(session, Role.IMPLEMENTING_DEPARTMENT, department_id),
            kind="measure_apply", key=f"e{event.id}:d{department_id}:apply",
            subject=f"请执行联合奖惩措施：{len(items)} 项", body="新认定的名单条目，请执行以下联合奖惩措施：\n" + "\n".join(lines)
            + f"\n{len(items)} measure(s) to apply for new list entries.")
    webhooks.record_changes(session, event, [webhooks.MeasureChange(m, m.entry, "apply", None, m.status)
                                             for m in measures])
    return StepResult(notices)


PLAN: dict[str, list[str]] = {"listed": ["listing.tell_departments"]}


