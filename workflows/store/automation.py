"""The outbox and the consequences it leads to: notifications, platform deliveries, announcements."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BigId, UTCDateTime, utcnow


class OutboxEvent(Base):
    """Written in the transaction of the change it reports; the worker turns it into consequences."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "available_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    process: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(48))  # the action or timer event, e.g. "accept", "breach"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, processing, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def params(self) -> dict:
        """What the person entered with the action (reason, dates, ...), as the case service recorded it."""
        return (self.payload or {}).get("params", {})


class EffectDone(Base):
    """One side effect of one event, done: the key that makes every consequence happen once."""

    __tablename__ = "effects_done"

    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id"), primary_key=True)
    effect: Mapped[str] = mapped_column(String(64), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """An inbox message for a user (and, if configured, an e-mail)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
                      Index("ix_notifications_user_unread", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(48))  # the notice kind of workflows/notices.py
    params: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))  # what it was rendered from
    subject: Mapped[str] = mapped_column(String(300))  # rendered in the recipient's language
    body: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    email_to: Mapped[str] = mapped_column(String(200), default="")
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlatformDelivery(Base):
    """A concluded result pushed to the municipal public credit platform, with its attempts. Owed until it is
    delivered: retried with growing delays (`next_attempt_at`) for `deliveries.retry_days` days, then "failed"
    (a person may still redeliver it); `alerted_at`: when the administrators were told it keeps failing."""

    __tablename__ = "platform_deliveries"
    __table_args__ = (Index("ix_platform_deliveries_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    log: Mapped[list[PlatformAttempt]] = relationship(order_by="PlatformAttempt.id", cascade="all, delete-orphan")


class PlatformAttempt(Base):
    """One POST of a platform delivery: when, the answer, the error (as a webhook's attempt)."""

    __tablename__ = "platform_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("platform_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    manual: Mapped[bool] = mapped_column(Boolean, default=False)


class Announcement(Base):
    """A public notice of a list exit or a correction, published where the listing was published."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_published", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id"))
    kind: Mapped[str] = mapped_column(String(16))  # exit, correction, grant
    list_kind: Mapped[str] = mapped_column(String(16), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    channel: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
