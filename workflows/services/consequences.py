"""The automated consequences of case events, each idempotent per event (the `once` key).

Each function runs inside one transaction that also records its key in effects_done, so a retry
or a second delivery of the same event changes nothing twice.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflows.domain.lists import ExitReason
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.store.automation import Announcement, EffectDone, OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.models import ListEntry, User

from . import history, notify, webhooks

SYSTEM = Actor.system("automation")

LIST_NAMES = {"red": "红名单", "black": "黑名单", "key_attention": "重点关注名单"}
MEASURE_VERBS_ZH = {"suspend": "暂停执行", "resume": "恢复执行", "stop": "停止执行", "restore": "恢复"}


def once(session: Session, event_id: int, effect: str) -> bool:
    """Claim this effect of this event; False if it was already done."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(EffectDone).values(event_id=event_id, effect=effect, done_at=utcnow())
    statement = statement.on_conflict_do_nothing(index_elements=["event_id", "effect"]).returning(EffectDone.event_id)
    return session.execute(statement).scalar() is not None


def change_measures(session: Session, event: OutboxEvent, entry: ListEntry, verb: str) -> list[int]:
    """Apply `verb` to every measure it applies to, telling each implementing department; the notice ids."""
    notices: list[int] = []
    changes: list[webhooks.MeasureChange] = []
    now = utcnow()
    for measure in entry.measures:
        try:
            before, after = measure.change_status(verb, at=now)
        except Exception:  # noqa: BLE001 - a measure already in the target state is left alone
            continue
        changes.append(webhooks.MeasureChange(measure, entry, verb, before, after))
        history.record(session, actor=SYSTEM, action=f"{verb}_measure", entity_type="measure",
                       entity_id=measure.id, from_state=before, to_state=after, case_id=event.case_id,
                       data={"event_id": event.id, "list_entry_id": entry.id})
        name = measure.catalogue.name
        subject_name = entry.subject.name if entry.subject else f"#{entry.id}"
        notices += notify.notify(
            session, notify.users_with_role(session, Role.IMPLEMENTING_DEPARTMENT, measure.department_id),
            kind=f"measure_{verb}", key=f"e{event.id}:m{measure.id}:{verb}", case_id=event.case_id,
            subject=f"请{MEASURE_VERBS_ZH.get(verb, verb)}联合奖惩措施：{name}（{subject_name}）",
            body=(f"措施“{name}”（{LIST_NAMES.get(entry.list_kind, entry.list_kind)}条目 #{entry.id}，"
                  f"{subject_name}）状态由 {before} 变为 {after}。案件 #{event.case_id}。\n"
                  f"Measure '{measure.catalogue.name_en or name}' on list entry #{entry.id}: {before} -> {after}."),
        )
    webhooks.record_changes(session, event, changes)  # each department's endpoint, delivered by the flow's steps
    return notices


def change_entry(session: Session, event: OutboxEvent, entry: ListEntry, verb: str,
                 reason: ExitReason | None = None) -> bool:
    try:
        before, after = entry.change_status(verb, at=utcnow(), reason=reason)
    except Exception:  # noqa: BLE001 - already there (a retry after a partial run)
        return False
    history.record(session, actor=SYSTEM, action=f"{verb}_entry", entity_type="list_entry", entity_id=entry.id,
                   from_state=before, to_state=after, case_id=event.case_id,
                   data={"event_id": event.id, **({"exit_reason": reason.value} if reason else {})})
    return True


def tell_applicant(session: Session, event: OutboxEvent, case: Case, subject: str, body: str) -> list[int]:
    users = [case.applicant] if case.applicant is not None else []
    if case.subject_id is not None:
        users += list(session.scalars(select(User).where(User.subject_id == case.subject_id, User.id != case.applicant_id,
                                                         User.claim_status == "confirmed")))
    return notify.notify(session, users, kind=f"case_{event.kind}", key=f"e{event.id}:applicant",
                         case_id=case.id, subject=subject, body=body)


def tell_role(session: Session, event: OutboxEvent, case: Case, role: Role, subject: str, body: str,
              department_id: int | None = None) -> list[int]:
    return notify.notify(session, notify.users_with_role(session, role, department_id), kind=f"case_{event.kind}",
                         key=f"e{event.id}:{role.value}", case_id=case.id, subject=subject, body=body)


def announce(session: Session, event: OutboxEvent, entry: ListEntry, kind: str, title: str, body: str) -> Announcement | None:
    """Publish through the original channel; the key-attention list is never announced."""
    if not entry.kind.is_public:
        return None
    announcement = Announcement(event_id=event.id, kind=kind, list_kind=entry.list_kind,
                                department_id=entry.department_id, channel=entry.published_channel or "",
                                title=title, body=body, published_at=utcnow())
    session.add(announcement)
    return announcement
