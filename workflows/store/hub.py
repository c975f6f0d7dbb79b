"""The hub's own tables: departments' webhook endpoints, their deliveries, and the credit-status query log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BigId, UTCDateTime, utcnow
from .models import Department


class WebhookEndpoint(Base):
    """An implementing department's HTTPS endpoint for measure changes, with the secret that signs them."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()


class WebhookDelivery(Base):
    """One signed message to one endpoint; the idempotency key is the same for every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("endpoint_id", "idempotency_key", name="uq_webhook_deliveries_key"),
                      Index("ix_webhook_deliveries_event", "event_id"),
                      Index("ix_webhook_deliveries_next_attempt", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id"))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as a platform delivery's
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    log: Mapped[list[WebhookAttempt]] = relationship(order_by="WebhookAttempt.id", cascade="all, delete-orphan")


class WebhookAttempt(Base):
    """One POST of a delivery: when, the answer, the error; the log a department reads."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    manual: Mapped[bool] = mapped_column(Boolean, default=False)


class CreditQuery(Base):
    """One credit-status query (应查必查): who asked about whom, why, when. Also the rate limit's count."""

    __tablename__ = "credit_queries"
    __table_args__ = (Index("ix_credit_queries_subject_at", "subject_id", "at"),
                      Index("ix_credit_queries_caller_at", "caller_id", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    caller_label: Mapped[str] = mapped_column(String(120), default="")
    caller_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    purpose: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    caller_department: Mapped[Department | None] = relationship()


# the public list search looks subjects up by name (prefix) as well as by code
Index("ix_subjects_name", Department.metadata.tables["subjects"].c.name)
