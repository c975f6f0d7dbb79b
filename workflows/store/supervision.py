"""Supervision's own tables (urgings, kept monthly reports) and the indexes its aggregate queries read."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BigId, UTCDateTime, utcnow
from .cases import Case, Timer
from .models import Department, HistoryEntry

OPEN_TIMER = "ended_at IS NULL"  # a timer is open until its step is done, whatever its status


class Urging(Base):
    """A supervisor's urging (督办) of a department on one case, with the department's reply."""

    __tablename__ = "urgings"
    __table_args__ = (Index("ix_urgings_department_replied", "department_id", "replied_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    # the reply-by deadline: a timer row of the case, so the sweep warns, breaches and escalates it
    timer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("sla_timers.id"))
    message: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[date] = mapped_column(Date)
    urged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    urged_by_label: Mapped[str] = mapped_column(String(120), default="")
    urged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_by_label: Mapped[str] = mapped_column(String(120), default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    department: Mapped[Department] = relationship()
    timer: Mapped[Timer | None] = relationship()

    @property
    def status(self) -> str:
        """open, late (its reply-by day has passed), replied, replied_late."""
        late = self.timer is not None and self.timer.status == "breached"
        if self.replied_at is not None:
            return "replied_late" if late else "replied"
        return "late" if late else "open"


class MonthlyReport(Base):
    """A month's statistics (每月统计联合奖惩情况) as generated once: a past month never changes."""

    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    figures: Mapped[dict] = mapped_column(JSON)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(120), default="")


MET_LEGAL = "status = 'met' AND kind <> 'urging_reply'"  # a legal deadline met (domain.supervision.URGING_DEADLINE)
BREACHED_LEGAL = "breached_at IS NOT NULL AND kind <> 'urging_reply'"  # a legal deadline breached

# Indexes on other features' tables that the dashboard's aggregates need (created in 0005_supervision).
Index("ix_cases_filed_at", Case.__table__.c.filed_at)
Index("ix_cases_closed_at", Case.__table__.c.closed_at)
Index("ix_cases_open_process_state", *(Case.__table__.c[name] for name in ("process", "state", "department_id", "id",
                                                                          "subject_id", "filed_at")),
      sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL"))
Index("ix_sla_timers_open", *(Timer.__table__.c[name] for name in ("case_id", "status", "warn_at", "due_at", "owner",
                                                                   "department_id", "kind", "due_on")),
      sqlite_where=text(OPEN_TIMER), postgresql_where=text(OPEN_TIMER))
Index("ix_sla_timers_breached_at", Timer.__table__.c.breached_at)
Index("ix_sla_timers_ended_at", Timer.__table__.c.ended_at)
# the legal deadlines met, for the period's and the trend's counts (0013_met_deadlines_index)
Index("ix_sla_timers_met", *(Timer.__table__.c[name] for name in ("ended_at", "owner", "department_id", "case_id")),
      sqlite_where=text(MET_LEGAL), postgresql_where=text(MET_LEGAL))
# the legal deadlines breached, likewise (0015_dashboard_indexes)
Index("ix_sla_timers_breached", *(Timer.__table__.c[name] for name in ("breached_at", "owner", "department_id",
                                                                       "case_id")),
      sqlite_where=text(BREACHED_LEGAL), postgresql_where=text(BREACHED_LEGAL))
Index("ix_history_action_at", HistoryEntry.__table__.c.action, HistoryEntry.__table__.c.at)
