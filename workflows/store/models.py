"""Typed SQLAlchemy 2 models. Statuses change only through the domain's transition tables."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text,
                        true)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.domain import lists
from workflows.domain.roles import Role

from .base import Base, BigId, UTCDateTime, utcnow

ACTIVE_OR_SUSPENDED = "status IN ('active', 'suspended')"


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class Subject(Base):
    """A credit subject (信用主体): an enterprise by its credit code, a person by resident ID."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    # whose name it is: "listed" a listing department's (it prevails), "claimed" a confirmed claim's, "declared" a
    # sign-up's own word, its claim unconfirmed (workflows.services.lists.subjects.register_subject)
    name_source: Mapped[str] = mapped_column(String(16), default="listed", server_default="listed")
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[ListEntry]] = relationship(back_populates="subject")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    # an applicant's claim to act for its subject: pending until the accepting office confirms it
    claim_status: Mapped[str] = mapped_column(String(16), default="none")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(String(8), default="")
    # notices also by SMS to `phone` (a Chinese mobile number) while the SMS gateway is configured
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # raised by log-out, a password change and disabling: every session and token carrying an older one ends
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    department: Mapped[Department | None] = relationship()
    subject: Mapped[Subject | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    # Flask-Login's protocol, kept here so the worker needs no Flask to load a user
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session cookie keeps: the user and the session generation it was issued in."""
        return f"{self.id}.{self.session_version}"


class LoginThrottle(Base):
    """Failed log-ins counted per key (`client|account name` and `client|*`): after a few, each further attempt
    from that client waits a growing delay; the account itself is never locked."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ListEntry(Base):
    """A subject on the red list, the blacklist or the key-attention list."""

    __tablename__ = "list_entries"
    __table_args__ = (
        # at most one active (or suspended) listing of a subject on one list
        Index(
            "uq_list_entries_open",
            "subject_id",
            "list_kind",
            unique=True,
            sqlite_where=text(ACTIVE_OR_SUSPENDED),
            postgresql_where=text(ACTIVE_OR_SUSPENDED),
        ),
        Index("ix_list_entries_kind_status_valid", "list_kind", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)  # NULL once purged
    # the entry this one followed from (the key-attention entry after a blacklist exit): undone with it
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"), index=True)
    list_kind: Mapped[str] = mapped_column(String(16))
    _status: Mapped[str] = mapped_column("status", String(16), default=lists.EntryStatus.ACTIVE.value)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    category: Mapped[str] = mapped_column(String(64), default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    document_no: Mapped[str] = mapped_column(String(100), default="")
    published_channel: Mapped[str] = mapped_column(String(200), default="")
    listed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    subject: Mapped[Subject | None] = relationship(back_populates="entries")
    department: Mapped[Department] = relationship()
    measures: Mapped[list[Measure]] = relationship(back_populates="entry", order_by="Measure.id")
    responsible_persons: Mapped[list[ResponsiblePerson]] = relationship(back_populates="entry",
                                                                        order_by="ResponsiblePerson.id")

    @hybrid_property
    def status(self) -> str:  # read-only: change_status() is the way to change it
        return self._status

    @property
    def kind(self) -> lists.ListKind:
        return lists.ListKind(self.list_kind)

    @property
    def is_public(self) -> bool:
        return self.kind.is_public and self._status != lists.EntryStatus.PURGED

    @property
    def is_open(self) -> bool:
        return self._status in (lists.EntryStatus.ACTIVE, lists.EntryStatus.SUSPENDED)

    def change_status(self, verb: str, *, at: datetime, reason: lists.ExitReason | None = None) -> tuple[str, str]:
        """Apply a domain transition; returns (from, to). The only way the status changes."""
        before = self._status
        self._status = lists.next_entry_status(before, verb).value
        if verb == "exit":
            self.exit_reason, self.exited_at = (reason.value if reason else None), at
        elif verb == "restore":
            self.exit_reason, self.exited_at = None, None
        elif verb == "purge":
            self._purge_personal_data(at)
        return before, self._status

    def _purge_personal_data(self, at: datetime) -> None:
        # a tombstone: the list, the department and the dates stay; nothing identifies the subject
        self.subject_id = None
        self.basis = ""
        self.document_no = ""
        self.category = ""
        self.exit_reason = lists.ExitReason.OBJECTION_UPHELD.value
        self.purged_at = at


class ResponsiblePerson(Base):
    """A person named in an enterprise's severe listing (落实到人, Z IV(7), Q III(6)): its legal representative or a
    directly responsible person. The link is the person's credit record of that listing: it has no status of its
    own but the entry's (suspended, exited, purged with it), and a purge erases the person from it."""

    __tablename__ = "responsible_persons"
    __table_args__ = (UniqueConstraint("list_entry_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)  # NULL once purged
    role: Mapped[str] = mapped_column(String(32))  # legal_representative | responsible_person
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[ListEntry] = relationship(back_populates="responsible_persons")
    person: Mapped[Subject | None] = relationship()

    @property
    def status(self) -> str:
        """The enterprise entry's: the person's record follows it through suspension, exit, repair and purge."""
        return self.entry.status


class MeasureCatalogueItem(Base):
    """One joint incentive or punishment (联合奖惩措施) in the catalogue."""

    __tablename__ = "measure_catalogue"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    effect: Mapped[str] = mapped_column(String(16))  # incentive | punishment
    obligation: Mapped[str] = mapped_column(String(16))  # mandatory | recommended
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # the implementing department
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()


class Measure(Base):
    """One measure from the catalogue applied to one list entry by its implementing department."""

    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("list_entry_id", "catalogue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), index=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("measure_catalogue.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    _status: Mapped[str] = mapped_column("status", String(16), default=lists.MeasureStatus.ACTIVE.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[ListEntry] = relationship(back_populates="measures")
    catalogue: Mapped[MeasureCatalogueItem] = relationship()
    department: Mapped[Department] = relationship()

    @hybrid_property
    def status(self) -> str:  # read-only: change_status() is the way to change it
        return self._status

    def change_status(self, verb: str, *, at: datetime) -> tuple[str, str]:
        before = self._status
        self._status = lists.next_measure_status(before, verb).value
        self.updated_at = at
        return before, self._status


class Setting(Base):
    """An administrator's value for a setting declared in workflows.domain.settings."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarYear(Base):
    """An administrator's imported holiday arrangement for one year; it overrides the packaged data."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    days_off: Mapped[list] = mapped_column(JSON)
    working_days: Mapped[list] = mapped_column(JSON)
    source_filename: Mapped[str] = mapped_column(String(200), default="")
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConfigStamp(Base):
    """A random stamp per configuration table (`settings`, `calendar_years`), renewed by a database trigger at
    every write to that table (migration 0012): what a process derived from the table is valid while it is the same."""

    __tablename__ = "config_stamps"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


class HistoryEntry(Base):
    """The append-only record of every change: who, when, what, from which state to which, why."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # the hash chain (workflows.store.audit_chain): set on insert, never changed
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
    # set when a purge erased the subject's data in reason and data (workflows.services.admin.audit.redact)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the chain the row extends (ADR 0012): "case:<id>", or "other" for rows of no case; NULL for the rows
    # written before migration 0015, which stay in the one chain they were written in (ADR 0006)
    chain: Mapped[str | None] = mapped_column(String(40))


class HistoryChain(Base):
    """The head of a history chain that is not a case's (a case keeps its head on its own row)."""

    __tablename__ = "history_chains"
    __table_args__ = (Index("ix_history_chains_unanchored", "name",
                            sqlite_where=text("anchored_head IS NULL OR anchored_head <> head"),
                            postgresql_where=text("anchored_head IS NULL OR anchored_head <> head")),)

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    head: Mapped[str] = mapped_column(String(64))
    anchored_head: Mapped[str | None] = mapped_column(String(64))


class HistoryAnchor(Base):
    """The heads of the chains that moved since the anchor before, itself chained to that anchor (ADR 0012)."""

    __tablename__ = "history_anchors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heads: Mapped[dict] = mapped_column(JSON)  # chain name -> row_hash of its last row when anchored
    prev_hash: Mapped[str] = mapped_column(String(64))
    anchor_hash: Mapped[str] = mapped_column(String(64))


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(HistoryEntry, "before_update")
@event.listens_for(HistoryEntry, "before_delete")
def _refuse_history_change(mapper, connection, target):
    raise AppendOnlyViolation("the history is append-only: rows cannot be changed or deleted")
