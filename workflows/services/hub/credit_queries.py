"""The credit-status query (应查必查): a stated purpose, every call recorded, the subject sees who looked.

The record doubles as the rate limit's counter, so the limit holds across web processes: a caller
may make `limit` queries in any `window_seconds`; beyond that it is told when to try again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.errors import N_, DomainError, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.services.lists.subjects import get_subject, may_see_key_attention
from workflows.services.processes.eligibility import CreditStatus, credit_status
from workflows.store.base import utcnow
from workflows.store.hub import CreditQuery

PURPOSE_MIN, PURPOSE_MAX = 4, 300
DEFAULT_LIMIT, DEFAULT_WINDOW = 60, 60

class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: int, limit: int, window: int):
        super().__init__(N_("more than %(limit)s credit-status queries in %(window)s s: try again in %(retry)s s"),
                         details={"retry_after": retry_after, "limit": limit, "window_seconds": window},
                         limit=limit, window=window, retry=retry_after)
        self.retry_after = retry_after

@dataclass(frozen=True)
class RateLimit:
    limit: int = DEFAULT_LIMIT
    window_seconds: int = DEFAULT_WINDOW

def check_purpose(purpose: str | None) -> str:
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise InvalidInput("state the purpose of the query (e.g. the licence or approval it is for)", field="purpose")
    if len(purpose) < PURPOSE_MIN:
        raise InvalidInput(N_("the purpose is too short: say what the query is for (at least %(count)s characters)"),
                           field="purpose", count=PURPOSE_MIN)
    if len(purpose) > PURPOSE_MAX:
        raise InvalidInput(N_("the purpose is longer than %(count)s characters"), field="purpose", count=PURPOSE_MAX)
    return purpose

def _check_rate(session: Session, caller: Actor, now: datetime, rate: RateLimit) -> None:
    since = now - timedelta(seconds=rate.window_seconds)
    count, oldest = session.execute(
        select(func.count(CreditQuery.id), func.min(CreditQuery.at))
        .where(CreditQuery.caller_id == caller.user_id, CreditQuery.at > since)).one()
    if count >= rate.limit:
        retry = int((oldest + timedelta(seconds=rate.window_seconds) - now).total_seconds()) + 1
        raise RateLimited(max(1, retry), rate.limit, rate.window_seconds)

def query_status(session: Session, code: str, caller: Actor, purpose: str | None, *, now: datetime | None = None,
                 rate: RateLimit = RateLimit()) -> tuple[CreditStatus, CreditQuery]:
    """The subject's credit status for this caller; the call is recorded in the caller's transaction."""
    now = now or utcnow()
    purpose = check_purpose(purpose)
    subject = get_subject(session, code)
    _check_rate(session, caller, now, rate)
    status = credit_status(session, subject.code, caller, now=now)
    record = CreditQuery(caller_id=caller.user_id, caller_label=caller.label, caller_department_id=caller.department_id,
                         subject_id=subject.id, purpose=purpose, at=now)
    session.add(record)
    session.flush()
    return status, record

def who_looked(session: Session, code: str, viewer: Actor, *, limit: int = 100) -> list[CreditQuery]:
    """The queries about a subject, newest first: for the subject itself and for staff entitled to its file."""
    subject = get_subject(session, code)
    if not may_see_key_attention(viewer, subject):
        raise NotFound(N_("no query log visible for %(code)s"), field="code", code=subject.code)
    return list(session.scalars(select(CreditQuery).where(CreditQuery.subject_id == subject.id)
                                .options(selectinload(CreditQuery.caller_department))
                                .order_by(CreditQuery.at.desc(), CreditQuery.id.desc()).limit(limit)))
