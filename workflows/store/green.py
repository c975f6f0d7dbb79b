"""The green channel's records: the licence matters catalogue, applications as filed, broken commitments,
red-list entries waiting for removal, and the public list of granted licences."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .cases import Case
from .models import Department, ListEntry, Subject


class LicenceMatter(Base):
    """An administrative licence or approval (行政许可事项) with its owning department and promised time."""

    __tablename__ = "licence_matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    processing_days: Mapped[int] = mapped_column(Integer)  # promised processing time (承诺办结时限), working days
    materials_days: Mapped[int | None] = mapped_column(Integer)  # this matter's deadline for missing materials
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()
    materials: Mapped[list[MatterMaterial]] = relationship(
        back_populates="matter", order_by="[MatterMaterial.position, MatterMaterial.id]")


class MatterMaterial(Base):
    """A required material of a matter: statutory core (法定要件, never missing) or deferrable (可容缺)."""

    __tablename__ = "matter_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("licence_matters.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    core: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    matter: Mapped[LicenceMatter] = relationship(back_populates="materials")


class GreenApplication(Base):
    """A green-channel application as filed: the matter and its materials as they stood, the signed commitment.

    The case refers to it (`case.data["application_id"]`); it is written in the filing's transaction.
    """

    __tablename__ = "green_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("licence_matters.id"), index=True)
    matter_code: Mapped[str] = mapped_column(String(32))
    matter_name: Mapped[str] = mapped_column(String(200))
    matter_name_en: Mapped[str] = mapped_column(String(200), default="")
    processing_days: Mapped[int] = mapped_column(Integer)
    default_days: Mapped[int] = mapped_column(Integer)  # the deadline the commitment names, unless the window sets one
    lines: Mapped[list] = mapped_column(JSON)  # workflows.domain.commitment.Line.as_dict() per material
    eligibility: Mapped[list] = mapped_column(JSON)  # the reasons found at filing
    commitment_zh: Mapped[str] = mapped_column(Text)
    commitment_en: Mapped[str] = mapped_column(Text)
    signatory: Mapped[str] = mapped_column(String(100))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subject: Mapped[Subject] = relationship()
    matter: Mapped[LicenceMatter] = relationship()

    @property
    def number(self) -> str:
        """The application number (容缺受理编号) the notice and the case show: RQ, the year, the id."""
        return f"RQ{self.signed_at:%Y}{self.id:06d}"

    @staticmethod
    def id_from(number: str) -> int | None:
        text = str(number or "")
        return int(text[6:]) if text.startswith("RQ") and text[2:].isdigit() and len(text) > 6 else None


class BrokenCommitment(Base):
    """A written commitment not kept (未履行信用承诺): a bad record in the subject's credit file."""

    __tablename__ = "broken_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    matter_name: Mapped[str] = mapped_column(String(200))
    missed: Mapped[str] = mapped_column(Text)  # the materials not supplied in time
    due_on: Mapped[date] = mapped_column(Date)  # the deadline that was missed
    recorded_on: Mapped[date] = mapped_column(Date)  # Asia/Shanghai day of the breach
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # disputed like any record kept (objection): "active"; "suspended" while an objection is verified (it does not
    # count meanwhile); "revoked" once the objection is upheld (kept, no longer a bad record)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    correction: Mapped[str] = mapped_column(Text, default="", server_default="")

    subject: Mapped[Subject] = relationship()
    case: Mapped[Case] = relationship()


class PendingRedlistRemoval(Base):
    """A red-list entry to be removed; the red-list removal process consumes these rows (consumed_at)."""

    __tablename__ = "pending_redlist_removals"
    __table_args__ = (UniqueConstraint("list_entry_id", "case_id"),
                      Index("ix_pending_redlist_removals_open", "consumed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    list_entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"))
    reason: Mapped[str] = mapped_column(String(32))  # "broken_commitment"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consumed_by_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    entry: Mapped[ListEntry] = relationship()


class LicencePublication(Base):
    """A granted licence published on the public page (Zhuhai VI(3): licences published within 7 working days)."""

    __tablename__ = "licence_publications"
    __table_args__ = (Index("ix_licence_publications_published", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    holder_name: Mapped[str] = mapped_column(String(200))  # a person's name is masked
    holder_code: Mapped[str] = mapped_column(String(18))  # a person's ID is masked
    matter_name: Mapped[str] = mapped_column(String(200))
    matter_name_en: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    licence_no: Mapped[str] = mapped_column(String(100))
    granted_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship()
