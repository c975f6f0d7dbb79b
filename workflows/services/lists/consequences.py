"""The automated consequences of case events, each idempotent per event (the `once` key).

Each function runs inside one transaction that also records its key in effects_done, so a retry
or a second delivery of the same event changes nothing twice.
"""
from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from workflows.domain.lists import ExitReason
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.labels import mask_name
from workflows.notices import KINDS
from workflows.services.casework import history
from workflows.services.deliveries import notify, webhooks
from workflows.services.lists import instructions
from workflows.store.automation import Announcement, EffectDone, OutboxEvent
from workflows.store.base import insert_unless_there, utcnow
from workflows.store.cases import Case
from workflows.store.models import ListEntry, Measure, User

SYSTEM = Actor.system("automation")


def once(session: Session, event_id: int, effect: str) -> bool:
    """Claim this effect of this event; False if it was already done."""
    statement = _claim_effect(session.get_bind().dialect.name)
    return session.execute(statement, {"event_id": event_id, "effect": effect, "done_at": utcnow()}).scalar() is not None


def _claim_effect(dialect: str):
    return insert_unless_there(dialect, EffectDone.__table__, ("event_id", "effect", "done_at"),
                               ("event_id", "effect"), ("event_id",))


def load_measures(session: Session, entries: list[ListEntry]) -> None:
    """The entries' measures with their catalogue items, in one query, before anything of theirs changes. Loaded
    lazily, each entry's measures and then each measure's item cost a statement, and the first such load flushed
    the entry's change alone, so the case's history chain was extended twice in one event."""
    pending = [entry for entry in entries if "measures" in inspect(entry).unloaded]
    if not pending:
        return
    found = session.scalars(select(Measure).where(Measure.list_entry_id.in_([entry.id for entry in pending]))
                            .options(joinedload(Measure.catalogue)).order_by(Measure.id)).all()
    for entry in pending:
        set_committed_value(entry, "measures", [m for m in found if m.list_entry_id == entry.id])


def change_measures(session: Session, event: OutboxEvent, entry: ListEntry, verb: str) -> list[int]:
    """Apply `verb` to every measure it applies to, telling each implementing department; the notice ids."""
    changed: list[Measure] = []
    befores: list[str] = []
    now = utcnow()
    for measure in entry.measures:
        try:
            before, after = measure.change_status(verb, at=now)
        except Exception:  # noqa: BLE001 - a measure already in the target state is left alone
            continue
        befores.append(before)
        changed.append(measure)
        history.record(session, actor=SYSTEM, action=f"{verb}_measure", entity_type="measure",
                       entity_id=measure.id, from_state=before, to_state=after, case_id=event.case_id,
                       data={"event_id": event.id, "list_entry_id": entry.id})
    told = instructions.issue(session, event, changed, instructions.BY_NOTICE[f"measure.{verb}"])
    changes = [webhooks.MeasureChange(m, entry, verb, before, m.status, told[m.id])
               for m, before in zip(changed, befores)]
    webhooks.record_changes(session, event, changes)  # each department's endpoint, delivered by the flow's steps
    return _notices_to_departments(session, event, entry, changed, f"measure.{verb}")  # their instructions issued


def tell_measures(session: Session, event: OutboxEvent, entry: ListEntry, measures: list[Measure], kind: str,
                  **params) -> list[int]:
    """Each measure's implementing department told what happens to it (a kind of workflows/notices.py), each
    such instruction waiting for the department's confirmation that it was carried out."""
    instructions.issue(session, event, measures, instructions.BY_NOTICE[kind])
    return _notices_to_departments(session, event, entry, measures, kind, **params)


def _notices_to_departments(session: Session, event: OutboxEvent, entry: ListEntry, measures: list[Measure],
                            kind: str, **params) -> list[int]:
    """The notices of `tell_measures`, for measures whose instructions this event has issued already."""
    notices: list[int] = []
    for measure in measures:
        notices += notify.notice(
            session, kind, notify.users_with_role(session, Role.IMPLEMENTING_DEPARTMENT, measure.department_id),
            key={"event": event.id, "measure_id": measure.id}, case_id=event.case_id,
            measure=notify.bilingual(measure.catalogue.name, measure.catalogue.name_en), list=entry.list_kind,
            entry=entry.id, name=subject_name(entry), until=entry.valid_until, case=event.case_id, **params)
    return notices


def subject_name(entry: ListEntry) -> str:
    """The entry's subject as notices and announcements name it (a person masked)."""
    subject = entry.subject
    return mask_name(subject.name, subject.kind) if subject is not None else f"#{entry.id}"


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


def tell_applicant(session: Session, event: OutboxEvent, case: Case, kind: str, **params) -> list[int]:
    """The case's applicant, and the subject's other confirmed accounts, told (a kind of workflows/notices.py)."""
    users = [case.applicant] if case.applicant is not None else []
    if case.subject_id is not None:
        users += list(session.scalars(select(User).where(User.subject_id == case.subject_id, User.id != case.applicant_id,
                                                         User.claim_status == "confirmed")
                                      .options(lazyload(User.role_rows))))  # their roles not needed to tell them
    return notify.notice(session, kind, users, key={"event": event.id, "to": "applicant"}, case_id=case.id,
                         case=case.id, **params)


def tell_role(session: Session, event: OutboxEvent, case: Case, role: Role, kind: str,
              department_id: int | None = None, **params) -> list[int]:
    """Everyone with a role (in a department) told of a case (a kind of workflows/notices.py)."""
    return notify.notice(session, kind, notify.users_with_role(session, role, department_id),
                         key={"event": event.id, "to": role.value}, case_id=case.id, case=case.id, **params)


def announce(session: Session, event: OutboxEvent, entry: ListEntry, kind: str, **params) -> Announcement | None:
    """Publish an announcement kind of workflows/notices.py, in Chinese, through the original channel; the
    key-attention list is never announced."""
    if not entry.kind.is_public:
        return None
    title, body = notify.render(kind, params, notify.PUBLIC_LOCALE)
    announcement = Announcement(event_id=event.id, kind=KINDS[kind].public, list_kind=entry.list_kind,
                                department_id=entry.department_id, channel=entry.published_channel or "",
                                title=title, body=body, published_at=utcnow())
    session.add(announcement)
    return announcement


NO_MEASURES = {"zh": "无", "en": "none"}


def tell_listed(session: Session, event: OutboxEvent, entry: ListEntry) -> list[int]:
    """The subject's confirmed accounts told what was recorded, on what basis, the measures, the validity, and how
    to object and repair, with the statement of rights; a key-attention listing is its warning (Q IV(4))."""
    if entry.list_kind not in ("black", "key_attention") or entry.subject_id is None:
        return []  # the red list is an honour, told by its own process
    users = list(session.scalars(select(User).where(User.subject_id == entry.subject_id, User.active.is_(True),
                                                    User.claim_status == "confirmed").order_by(User.id)))
    measures = [{"measure": notify.bilingual(m.catalogue.name, m.catalogue.name_en)} for m in entry.measures]
    return notify.notice(session, "listing.blacklist" if entry.list_kind == "black" else "listing.key_attention",
                         users, key={"event": event.id}, case_id=event.case_id, entry=entry.id,
                         name=subject_name(entry), department=notify.bilingual(entry.department.name,
                                                                               entry.department.name_en),
                         listed=entry.listed_on, until=entry.valid_until, basis=entry.basis,
                         document=entry.document_no or "", measures=measures or [{"measure": NO_MEASURES}])
