"""Green-channel eligibility from the database, and the credit status that approval systems query (应查必查).

For other callers (the credit-status API, approval systems):

- `eligibility_of(session, subject_id, *, now=None) -> workflows.domain.eligibility.Eligibility`: `.eligible`
  (bool) and `.reasons` (each `.code`, `.message`, `.supports`, `.public`, `.params`; `.as_dict()` for JSON).
  Show it only to the subject itself (a confirmed claim) and to the departments entitled to its non-public
  records: to anyone else even "not eligible for a reason that is not public" would give a key-attention listing
  or a broken commitment away.
- `credit_status(session, code, viewer, *, now=None) -> CreditStatus`: the subject's open entries by list
  (key-attention only for entitled viewers) and, for those viewers only, the eligibility (None for the others,
  who get the public lists alone); raises NotFound / InvalidInput for an unknown or malformed code.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sla import calendar
from workflows.domain import eligibility
from workflows.domain.lists import EntryStatus, ExitReason, ListKind
from workflows.domain.process import Actor
from workflows.services.admin import settings
from workflows.services.lists.subjects import get_subject, may_see_key_attention
from workflows.services.processes.objection import under_verification
from workflows.store.base import utcnow
from workflows.store.green import BrokenCommitment
from workflows.store.models import ListEntry, Subject

OPEN = (EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value)
# entries that were wrong are no bad record: purged (listed in error) or ended because an objection was upheld
NOT_A_RECORD = ExitReason.OBJECTION_UPHELD.value


def credit_facts(session: Session, subject_id: int) -> eligibility.CreditFacts:
    # a record under verification (suspended) does not count against the subject (Q V(6)); nor does one purged
    entries = session.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id, ListEntry.status.not_in(
        (EntryStatus.PURGED.value, EntryStatus.SUSPENDED.value)))).all()
    on_lists = frozenset(e.list_kind for e in entries if e.status in OPEN)
    verified = under_verification(session, subject_id)  # an exited record kept stays exited while it is verified
    entries = [e for e in entries if e.id not in verified]
    records = [eligibility.Record(e.list_kind, e.listed_on,
                                  None if e.status in OPEN else calendar.local_date(e.exited_at or e.created_at))
               for e in entries
               if e.list_kind in (ListKind.BLACK.value, ListKind.KEY_ATTENTION.value) and e.exit_reason != NOT_A_RECORD]
    # a record under verification does not count against the subject, nor one an upheld objection revoked
    broken = session.scalars(select(BrokenCommitment.recorded_on).where(BrokenCommitment.subject_id == subject_id,
                                                                        BrokenCommitment.status == "active"))
    records += [eligibility.Record(eligibility.BROKEN_COMMITMENT, day, day) for day in broken]
    return eligibility.CreditFacts(on_lists, tuple(records))


def eligibility_of(session: Session, subject_id: int, *, now: datetime | None = None) -> eligibility.Eligibility:
    today = calendar.local_date(now or utcnow())
    return eligibility.check(credit_facts(session, subject_id), today,
                             clean_record_years=settings.get(session, "green.clean_record_years"),
                             broken_commitment_years=settings.get(session, "green.broken_commitment_years"))


@dataclass(frozen=True)
class CreditStatus:
    subject: Subject
    as_of: datetime
    entries: dict[str, list[ListEntry]]  # open entries by list, key-attention only for entitled viewers
    shows_key_attention: bool
    green_channel: eligibility.Eligibility | None  # None: the viewer gets the public lists alone


def credit_status(session: Session, code: str, viewer: Actor, *, now: datetime | None = None) -> CreditStatus:
    now = now or utcnow()
    subject = get_subject(session, code)
    entitled = may_see_key_attention(viewer, subject)
    query = (select(ListEntry).where(ListEntry.subject_id == subject.id, ListEntry.status.in_(OPEN))
             .options(selectinload(ListEntry.department)).order_by(ListEntry.listed_on, ListEntry.id))
    entries: dict[str, list[ListEntry]] = {kind.value: [] for kind in ListKind}
    for entry in session.scalars(query):
        entries[entry.list_kind].append(entry)
    if not entitled:
        entries.pop(ListKind.KEY_ATTENTION.value)
    green = eligibility_of(session, subject.id, now=now) if entitled else None
    return CreditStatus(subject, now, entries, entitled, green)
