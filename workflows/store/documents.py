"""Written decisions: the issued documents, each department's numbering pattern and its counter per year."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .models import Department


class DecisionDocument(Base):
    """One issued written decision: its number and the text it was issued with (kept as issued)."""

    __tablename__ = "decision_documents"
    __table_args__ = (UniqueConstraint("department_id", "year", "sequence", name="uq_decision_documents_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # title, recipient, paragraphs, issuer and date, in Chinese, as issued
    fields: Mapped[dict] = mapped_column(JSON, default=dict)

    department: Mapped[Department] = relationship()


class DocumentCounter(Base):
    """The last sequence number a department used in a year; raised under its row lock, in the decision's
    transaction, so a number is neither skipped nor given twice."""

    __tablename__ = "document_counters"

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class NumberingPattern(Base):
    """A department's numbering pattern, as the administrator set it (workflows.domain.documents)."""

    __tablename__ = "numbering_patterns"

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True,
                                               autoincrement=False)
    pattern: Mapped[str] = mapped_column(String(60))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
