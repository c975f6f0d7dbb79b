"""Notifications: an inbox row per recipient (once per dedupe key), e-mailed when SMTP is configured."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflows.config import Config
from workflows.domain.roles import Role
from workflows.store.automation import Notification
from workflows.store.base import utcnow
from workflows.store.models import User, UserRole


def users_with_role(session: Session, role: Role, department_id: int | None = None) -> list[User]:
    query = select(User).join(UserRole).where(UserRole.role == role.value, User.active.is_(True))
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    return list(session.scalars(query.order_by(User.id)))


def notify(session: Session, users: list[User], *, kind: str, subject: str, body: str, key: str,
           case_id: int | None = None) -> list[int]:
    """One inbox message per user for this key; a second call with the same key adds nothing."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = []
    for user in users:
        dedupe = f"{key}:u{user.id}"
        statement = insert(Notification).values(
            user_id=user.id, case_id=case_id, kind=kind, subject=subject[:300], body=body, dedupe_key=dedupe,
            email_to=user.email or "", created_at=utcnow(), email_error="",
        ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id)
        new_id = session.execute(statement).scalar()
        if new_id is not None:
            created.append(new_id)
    return created


def unsent_for_event(session: Session, event_id: int) -> list[int]:
    """The e-mails of an event's notifications not sent yet (every key starts with the event's id)."""
    return list(session.scalars(select(Notification.id).where(
        Notification.dedupe_key.like(f"e{event_id}:%"), Notification.emailed_at.is_(None),
        Notification.email_to != "").order_by(Notification.id)))


def send_email(session: Session, notification_id: int, config: Config) -> bool:
    """E-mail one notification once; True if sent now. Without SMTP configured, the inbox is the channel."""
    note = session.get(Notification, notification_id)
    if note is None or note.emailed_at is not None or not note.email_to or not config.smtp_host:
        return False
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.smtp_sender, note.email_to, note.subject
    # the same for every attempt: a message resent after a crash (SMTP accepted it, the worker died before
    # recording that) carries the same Message-ID, so mail systems drop the duplicate
    message["Message-ID"] = f"<n{note.id}.{note.dedupe_key.replace(':', '.')}@credit-cases>"
    message.set_content(note.body)
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)
    note.emailed_at = utcnow()
    return True


def unread_count(session: Session, user_id: int) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0
