"""Instructions to implementing departments (执行反馈): each order to apply, suspend, resume or stop a measure,
waiting for the department's confirmation that it was carried out (Z V(1), Q V(3))."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BigId, UTCDateTime, utcnow
from .models import Department, Measure

UNCONFIRMED = "confirmed_at IS NULL AND superseded_at IS NULL"


class Instruction(Base):
    """One instruction about one measure, issued by one event; confirmed once by its department, or superseded
    by a later instruction about the same measure before it was confirmed."""

    __tablename__ = "instructions"
    __table_args__ = (
        UniqueConstraint("event_id", "measure_id", name="uq_instructions_event_measure"),
        Index("ix_instructions_unconfirmed", "department_id", "due_on", sqlite_where=text(UNCONFIRMED),
              postgresql_where=text(UNCONFIRMED)),
        Index("ix_instructions_carried_out", "carried_out_on", "department_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(16))  # apply, suspend, resume, stop
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id"))
    case_id: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)  # None: the calendar had no data for the year
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carried_out_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by_label: Mapped[str] = mapped_column(String(120), default="")
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urge_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    measure: Mapped[Measure] = relationship()
    department: Mapped[Department] = relationship()

    def status(self, today: date) -> str:
        """confirmed, superseded, overdue (its due day has passed), open."""
        if self.confirmed_at is not None:
            return "confirmed"
        if self.superseded_at is not None:
            return "superseded"
        return "overdue" if self.due_on is not None and self.due_on < today else "open"
