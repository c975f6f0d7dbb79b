"""The lists' life after listing (domain.md, "List lifecycle"): exit by expiry (`ON_EXPIRY`, per list) or
repair, the key-attention list that follows a blacklist exit, and a key-attention subject moved to the blacklist.

Every blacklist exit except one for a listing in error puts the subject on the key-attention list, which
is never public. The validity timers themselves are `list_validity`'s.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.config import Config
from workflows.domain.errors import N_, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import EntryStatus, ExitReason, ListKind
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.processes.repair_exit import add_months
from workflows.services.admin import settings
from workflows.services.casework import history
from workflows.services.casework.queries import Page
from workflows.services.deliveries import notify, platform
from workflows.services.lists import list_validity, listings
from workflows.services.lists.consequences import (
    SYSTEM,
    announce,
    change_entry,
    change_measures,
    subject_name,
    tell_measures,
)
from workflows.services.processes import redlist_removal
from workflows.store.automation import Announcement, Notification, OutboxEvent, PlatformDelivery
from workflows.store.base import utcnow
from workflows.store.models import Department, ListEntry, User

PROCESS = "lists"  # the outbox process of list entries' own events




# --- consequences of a blacklist exit ---------------------------------------------------------------

def emit(session: Session, kind: str, now: datetime, case_id: int | None = None, **payload) -> OutboxEvent:
    event = OutboxEvent(process=PROCESS, kind=kind, case_id=case_id, payload=payload,
                        available_at=min(now, utcnow()), created_at=now)
    session.add(event)
    session.flush()
    return event


def subject_users(session: Session, subject_id: int | None) -> list[User]:
    if subject_id is None:
        return []
    return list(session.scalars(select(User).where(User.subject_id == subject_id, User.claim_status == "confirmed",
                                                   User.active.is_(True))))


def put_on_key_attention(session: Session, event: OutboxEvent, black: ListEntry, until: date,
                         now: datetime) -> tuple[ListEntry | None, list[int]]:
    """The key-attention entry that follows a blacklist exit, with its lighter (recommended) measures and the
    warning to the subject stating its validity. An open key-attention entry already there is kept."""
    if black.subject is None:
        return None, []
    start = calendar.local_date(now)
    existing = session.scalar(select(ListEntry).where(
        ListEntry.subject_id == black.subject_id, ListEntry.list_kind == ListKind.KEY_ATTENTION.value,
        ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value])))
    if existing is not None:
        return existing, []
    lighter = [m.catalogue.code for m in black.measures if m.catalogue.obligation == "recommended"]
    request = listings.ListingRequest(
        subject_code=black.subject.code, subject_name=black.subject.name, list_kind=ListKind.KEY_ATTENTION.value,
        department_code=black.department.code, document_no=black.document_no, category=black.category,
        basis=f"移出黑名单后列入重点关注名单（原列入依据：{black.basis}）", listed_on=start,
        valid_until=until if until > start else add_months(start, 1),
        measure_codes=lighter)
    entry = listings.record_listing(session, request, SYSTEM, now=now)
    entry.derived_from_id = black.id  # a revoke of the blacklisting undoes it (workflows.steps.objection)
    list_validity.start(session, entry, now)
    notices = tell_measures(session, event, entry, list(entry.measures), "measure.apply")
    notices += notify.notice(session, "key_attention.warning", subject_users(session, entry.subject_id),
                             key={"event": event.id}, case_id=event.case_id, name=subject_name(black),
                             until=entry.valid_until)
    return entry, notices


def exit_blacklist(session: Session, event: OutboxEvent, entry: ListEntry, reason: ExitReason, key_until: date,
                   now: datetime, *, case_no: int | None = None) -> list[int]:
    """A blacklist exit: measures stopped and departments told, the exit announced where the listing was
    published, the subject put on the key-attention list. The record is kept. The notice ids."""
    notices = change_measures(session, event, entry, "stop")
    change_entry(session, event, entry, "exit", reason)
    how = {ExitReason.REPAIRED: "repaired", ExitReason.EXPIRED: "expired",
           ExitReason.CRITERIA_CHANGED: "criteria_changed"}.get(reason, "other")
    announce(session, event, entry, "announce.blacklist_exit.case" if case_no else "announce.blacklist_exit",
             name=subject_name(entry), department=entry.department.name, document=entry.document_no or "",
             how=how, case=case_no)
    _, more = put_on_key_attention(session, event, entry, key_until, now)
    return notices + more


def key_entry_after(session: Session, black: ListEntry) -> ListEntry | None:
    """The subject's open key-attention entry after a blacklist exit (the one that followed it, or one kept)."""
    if black.subject_id is None:
        return None
    return session.scalar(select(ListEntry).where(
        ListEntry.subject_id == black.subject_id, ListEntry.list_kind == ListKind.KEY_ATTENTION.value,
        ListEntry.status.in_([EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value])))


def default_key_attention_until(session: Session, now: datetime) -> date:
    return add_months(calendar.local_date(now), settings.get(session, "lists.key_attention_months"))


def expire_blacklist(session: Session, event: OutboxEvent, entry: ListEntry, config: Config | None) -> list[int]:
    now = event.created_at  # the instant the validity ended, as the sweep saw it
    notices = exit_blacklist(session, event, entry, ExitReason.EXPIRED, default_key_attention_until(session, now), now)
    record_delivery(session, event, entry, "expired", config)
    return notices


def expire_key_attention(session: Session, event: OutboxEvent, entry: ListEntry, config: Config | None) -> list[int]:
    """A key-attention entry ends at its own expiry: its measures stop; it is never announced."""
    notices = change_measures(session, event, entry, "stop")
    change_entry(session, event, entry, "exit", ExitReason.EXPIRED)
    notices += notify.notice(session, "key_attention.expired", subject_users(session, entry.subject_id),
                             key={"event": event.id}, entry=entry.id, until=entry.valid_until)
    record_delivery(session, event, entry, "expired", config)
    return notices


def expire_if_due(session: Session, entry: ListEntry, now: datetime) -> OutboxEvent | None:
    """An entry back in force after a verification whose validity ended meanwhile: its expiry, which waited for
    the decision (the lists flow's `expire` step), takes effect now. A validity not yet ended gets its timer."""
    if not entry.is_open:
        return None
    list_validity.cancel(session, entry, now)
    if calendar.local_date(now) <= entry.valid_until:
        list_validity.start(session, entry, now)
        return None
    return emit(session, "expire", now, list_entry_id=entry.id, waited_for_verification=True)


def derived_entries(session: Session, entry: ListEntry) -> list[ListEntry]:
    """The entries that followed from this one (the key-attention entry after a blacklist exit), and theirs."""
    found: list[ListEntry] = []
    frontier = [entry.id]
    while frontier:
        more = list(session.scalars(select(ListEntry).where(ListEntry.derived_from_id.in_(frontier))
                                    .order_by(ListEntry.id)))
        found += more
        frontier = [e.id for e in more]
    return found


# what the end of an entry's validity does, per list: a blacklist entry exits onto the key-attention list, a
# key-attention entry exits unannounced, a red-list entry goes through red-list removal (its own case and flow)
ON_EXPIRY: dict[str, Callable[[Session, OutboxEvent, ListEntry, Config | None], list[int]]] = {
    ListKind.BLACK.value: expire_blacklist,
    ListKind.KEY_ATTENTION.value: expire_key_attention,
    ListKind.RED.value: redlist_removal.expire_red,
}


def record_delivery(session: Session, event: OutboxEvent, entry: ListEntry, result: str,
                    config: Config | None) -> PlatformDelivery | None:
    """A list's change pushed to the platform, one delivery per event; a key-attention entry's is marked not
    public (the platform shares it with departments and never publishes it, Q IV(4))."""
    if config is None or not config.platform_url:
        return None
    return platform.add_delivery(session, event.id, event.case_id, config.platform_url, payload={
        "event_id": event.id, "case_id": event.case_id, "process": PROCESS, "result": result,
        "list": entry.list_kind, "public": entry.kind.is_public, "list_entry_id": entry.id, "state": entry.status,
        "exit_reason": entry.exit_reason,
        "subject_code": entry.subject.code if entry.subject else None, "decided_at": utcnow().isoformat()})


# --- a key-attention subject moved to the blacklist -------------------------------------------------

@dataclass
class Escalation:
    key_entry_id: int
    basis: str
    document_no: str
    valid_until: date
    measure_codes: list[str]
    published_channel: str = ""


def escalatable(session: Session, entry_id: int, actor: Actor) -> ListEntry:
    """The key-attention entry `actor` may move to the blacklist: only its own listing department's (Q IV(4):
    the department that listed it transfers it). Another department that finds a severe violation lists the
    subject on the blacklist itself, on its own decision."""
    if Role.LISTING_DEPARTMENT not in actor.roles or actor.department_id is None:
        raise RoleNotAllowed("only a listing department may move a subject to the blacklist")
    key = session.get(ListEntry, entry_id)
    if key is None or key.list_kind != ListKind.KEY_ATTENTION.value or key.subject is None:
        raise NotFound(N_("no key-attention entry #%(id)s"), field="key_entry_id", id=entry_id)
    if key.department_id != actor.department_id:
        raise RoleNotAllowed("only the department that listed the subject on the key-attention list may move it to "
                             "the blacklist; another department that finds a severe violation lists the subject "
                             "itself", field="key_entry_id")
    return key


def escalate_to_blacklist(session: Session, request: Escalation, actor: Actor, *,
                          now: datetime | None = None) -> ListEntry:
    """A severe violation during the key-attention validity: the subject goes on the blacklist with its
    measures, in this transaction; the departments and the subject are told by the flow."""
    now = now or utcnow()
    key = escalatable(session, request.key_entry_id, actor)
    if key.status != EntryStatus.ACTIVE.value:
        raise InvalidInput(N_("the key-attention entry is %(status)s: only an active one can be escalated"),
                           field="key_entry_id", labels={"status": "state"}, status=key.status)
    if not request.basis.strip():
        raise InvalidInput("state the severe violation and its legal basis", field="basis")
    if not request.measure_codes:
        raise InvalidInput("choose the blacklist's measures from the catalogue", field="measures")
    department = session.get(Department, actor.department_id)
    black = listings.record_listing(session, listings.ListingRequest(
        subject_code=key.subject.code, subject_name=key.subject.name, list_kind=ListKind.BLACK.value,
        department_code=department.code, basis=request.basis, document_no=request.document_no,
        listed_on=calendar.local_date(now), valid_until=request.valid_until, measure_codes=request.measure_codes,
        category=key.category, published_channel=request.published_channel), actor, now=now)
    event = emit(session, "blacklisted", now, key_entry_id=key.id, list_entry_id=black.id)
    history.record(session, actor=actor, action="escalate_to_blacklist", entity_type="list_entry", entity_id=key.id,
                   at=now, reason=request.basis[:2000], data={"event_id": event.id, "blacklist_entry_id": black.id})
    change_measures(session, event, key, "stop")
    change_entry(session, event, key, "exit", ExitReason.BLACKLISTED)
    list_validity.start(session, black, now)
    return black


def notices_of(session: Session, event: OutboxEvent) -> list[int]:
    """The notifications this event produced in its own transaction, still to be e-mailed."""
    return list(session.scalars(select(Notification.id).where(Notification.dedupe_key.like(f"e{event.id}:%"),
                                                              Notification.emailed_at.is_(None))))


# --- the public announcements (exits and corrections) ------------------------------------------------

def public_announcements(session: Session, page: int = 1, per_page: int = 20):
    """Published announcements, newest first; never a key-attention matter (announce() writes none, and
    this query would not show one)."""
    query = select(Announcement).where(Announcement.public.is_(True),
                                       Announcement.list_kind != ListKind.KEY_ATTENTION.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(query.order_by(Announcement.published_at.desc(), Announcement.id.desc())
                                 .offset((max(page, 1) - 1) * per_page).limit(per_page)))
    return Page(items, total, max(page, 1), per_page)
