"""Notices sent by SMS through the operator's SMS gateway: one delivery per notice and mobile number, retried by
the delivery lane like the platform's and the webhooks' (workflows/services/deliveries/sms.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BigId, UTCDateTime, utcnow


class SmsDelivery(Base):
    """One SMS: the template code and short parameters of one notice, to one mobile number; the request id is
    the same on every attempt, so a gateway sends it once."""

    __tablename__ = "sms_deliveries"
    __table_args__ = (Index("ix_sms_deliveries_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(BigId, ForeignKey("notifications.id"), index=True)
    # the notice's case: a purged entry's personal data is erased here as in its notices (services/lists/erasure.py)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(20))
    template_code: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    log: Mapped[list[SmsAttempt]] = relationship(order_by="SmsAttempt.id", cascade="all, delete-orphan")


class SmsAttempt(Base):
    """One POST of an SMS delivery: when, the gateway's answer, the error."""

    __tablename__ = "sms_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("sms_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
