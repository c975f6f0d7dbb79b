"""Cases, their evidence files and their SLA timers."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, event, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.domain.process import CaseView, Transition

from .base import Base, BigId, UTCDateTime, utcnow
from .models import Department, ListEntry, Subject, User

UNANCHORED = "chain_head IS NOT NULL AND (anchored_head IS NULL OR anchored_head <> chain_head)"


class Case(Base):
    """One run of one process for one subject. Its state changes only by `apply(transition)`."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_process_state", "process", "state"),
        Index("ix_cases_inbox", "state", "department_id"),
        # one open case of a process per list entry, even when two are filed at the same moment
        Index("uq_cases_open_per_entry", "process", "list_entry_id", unique=True,
              sqlite_where=text("closed_at IS NULL AND list_entry_id IS NOT NULL"),
              postgresql_where=text("closed_at IS NULL AND list_entry_id IS NOT NULL")),
        # the cases whose history chain moved since it was last anchored (workflows.store.audit_chain.anchor)
        Index("ix_cases_unanchored", "id", sqlite_where=text(UNANCHORED), postgresql_where=text(UNANCHORED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process: Mapped[str] = mapped_column(String(32))
    _state: Mapped[str] = mapped_column("state", String(32))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # the request that filed it: a form sent twice files one case
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[str] = mapped_column(String(32), default="")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # the case's history chain (ADR 0012): the row_hash of its last history row, and the one last anchored;
    # kept by workflows.store.audit_chain, never through the ORM's version check
    chain_head: Mapped[str | None] = mapped_column(String(64))
    anchored_head: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}

    # read through, never written through: the ids above are what is written, and a timer or a file is written
    # through its own `case` (kept in these collections by `_kept_in_its_case` below). Left out of the flush's
    # bookkeeping, which an action's transaction otherwise spends on each of them at each flush (a case's own
    # UPDATE flushed in 0.36 ms with its two collections writable, 0.22 ms without; docs/performance.md, 7a)
    subject: Mapped[Subject | None] = relationship(viewonly=True)
    department: Mapped[Department | None] = relationship(viewonly=True)
    list_entry: Mapped[ListEntry | None] = relationship(viewonly=True)
    applicant: Mapped[User | None] = relationship(viewonly=True)
    timers: Mapped[list[Timer]] = relationship(viewonly=True, order_by="Timer.id")
    evidence: Mapped[list[EvidenceFile]] = relationship(viewonly=True, order_by="EvidenceFile.id")

    @hybrid_property
    def state(self) -> str:  # read-only: apply() is the way to change it
        return self._state

    def view(self, **facts) -> CaseView:
        return CaseView(self.process, self._state, self.subject_id, self.department_id, {**(self.data or {}), **facts})

    def apply(self, transition: Transition, *, at: datetime, final: bool) -> None:
        if transition.source != self._state or transition.process != self.process:
            raise ValueError(f"transition from {transition.source} applied to a case in {self._state}")
        self._state = transition.target
        self.updated_at = at
        if final:
            self.closed_at = at

    @classmethod
    def opened(cls, process: str, initial: str, **values) -> "Case":
        # a new case's timers and files are known, none yet: its collections are loaded, and what the transaction
        # adds (Timer(case=...), EvidenceFile(case=...)) is appended to them; nothing reads them back
        case = cls(process=process, timers=[], evidence=[], **values)
        case._state = initial
        return case


class EvidenceFile(Base):
    """An uploaded file, stored outside the web root under a random name."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32), default="evidence")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()


class Timer(Base):
    """A legal deadline as a row. `next_fire_at` is the next instant the sweeper must act on it."""

    __tablename__ = "sla_timers"
    __table_args__ = (Index("ix_sla_timers_next_fire", "next_fire_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # a case's deadline, or a list entry's validity (expiry) when case_id is NULL
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(32))  # whose step: accepting_office, department, applicant
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    limit_days: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # the last working day of the limit
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # end of due_on, Asia/Shanghai
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remaining_days: Mapped[int | None] = mapped_column(Integer)  # while paused
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case | None] = relationship()


class KeptFiling(Base):
    """What an applicant filed on a case whose listing was purged as made in error, kept for that applicant only:
    the erasure masks every copy of the listing (the case's own data included), and the person who won still reads
    its own grounds, contacts and the names of its files here, with the listing's own texts (document number,
    basis) masked. Staff pages never show it."""

    __tablename__ = "kept_filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # not named case_id: the erasure finds every row linked to a case by that name, and this row is the exception
    case_ref: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    files: Mapped[list] = mapped_column(JSON, default=list)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Timer.case, "set")
@event.listens_for(EvidenceFile.case, "set")
def _kept_in_its_case(row: Timer | EvidenceFile, case: Case | None, _old, _initiator) -> None:
    """A timer or file given its case joins the case's collection, where that collection is loaded (one not loaded
    reads the row from the database when it is: the flush before the read writes it), as a two-way relationship
    would have added it; the collections being read-only, the flush writes the row through its `case` alone."""
    if case is None:
        return
    name = "timers" if isinstance(row, Timer) else "evidence"
    loaded = case.__dict__.get(name)
    if loaded is not None and row not in loaded:
        loaded.append(row)
