"""Conditional acceptance against a written commitment (容缺受理): the materials, their deadlines, the commitment.

Only materials the matter's catalogue marks deferrable may be missing at filing; statutory core ones
may not (Zhuhai III(2): "除法律法规要求提供的材料外"). Each missing item gets a deadline in working days
from acceptance, never beyond the matter's processing time. The state of every item is a fold over
the case's history (accept, submit, verify or reject, extend), so it cannot disagree with the record.
Pure: working-day arithmetic is passed in.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .errors import N_, InvalidInput

# an item's status: supplied at filing; or missing -> submitted -> verified, or rejected (and submitted again)
SUPPLIED, MISSING, SUBMITTED, VERIFIED, REJECTED = "supplied", "missing", "submitted", "verified", "rejected"
OUTSTANDING = (MISSING, REJECTED)


@dataclass(frozen=True)
class Material:
    """A material of a licence matter as the catalogue lists it."""

    id: int
    name: str
    core: bool  # statutory core (法定要件): never missing
    name_en: str = ""


@dataclass(frozen=True)
class Line:
    """One material of one application, as filed: numbered from 1 in the catalogue's order."""

    no: int
    material_id: int
    name: str
    core: bool
    supplied: bool
    name_en: str = ""

    def as_dict(self) -> dict:
        return {"no": self.no, "material_id": self.material_id, "name": self.name, "name_en": self.name_en,
                "core": self.core, "supplied": self.supplied}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Line":
        return cls(int(data["no"]), int(data["material_id"]), str(data["name"]), bool(data["core"]),
                   bool(data["supplied"]), str(data.get("name_en", "")))


def as_int(value: object, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer from a form or JSON value (7 or "7"), else a clear error on `field`."""
    if isinstance(value, bool):
        raise InvalidInput("must be a whole number", field=field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(N_("must be a whole number, got '%(value)s'"), field=field, value=value) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidInput(N_("must be between %(min)s and %(max)s"), field=field, min=minimum, max=maximum)
    return number


def lines_for(materials: Iterable[Material], missing_ids: Iterable[object]) -> list[Line]:
    """The application's lines; refuses a core item marked missing, an unknown item, or nothing missing."""
    materials = list(materials)
    by_id = {m.id: m for m in materials}
    missing: set[int] = set()
    for raw in missing_ids:
        material_id = as_int(raw, "missing")
        material = by_id.get(material_id)
        if material is None:
            raise InvalidInput(N_("material %(no)s is not one of this matter's materials"), field="missing",
                               no=material_id)
        if material.core:
            raise InvalidInput(N_("'%(name)s' is a statutory core material: it cannot be missing"),
                               field="missing", details={"material_id": material_id}, name=material.name)
        missing.add(material_id)
    if not missing:
        raise InvalidInput("nothing is missing: the green channel accepts an application with deferrable materials "
                           "to follow; with every material at hand, apply through the ordinary procedure",
                           field="missing")
    return [Line(no, m.id, m.name, m.core, m.id not in missing, m.name_en) for no, m in enumerate(materials, start=1)]


def commitment_text(*, subject: str, matter: str, missing: list[Line], days: int, years: int,
                    matter_en: str = "") -> tuple[str, str]:
    """The written commitment (承诺书), in Chinese and in English: each missing item, the deadline, the consequence."""
    zh_items = "\n".join(f"{i}. {line.name}" for i, line in enumerate(missing, start=1))
    en_items = "\n".join(f"{i}. {line.name_en or line.name}" for i, line in enumerate(missing, start=1))
    zh = (f"信用承诺书\n本单位（本人）{subject}申请办理“{matter}”，申请容缺受理，现郑重承诺：\n"
          f"在受理之日起{days}个工作日内（以容缺受理通知书载明的期限为准）补齐下列材料：\n{zh_items}\n"
          f"如未按期补齐，本单位（本人）同意：本申请终止办理；未履行承诺的失信记录记入本单位（本人）信用档案，"
          f"{years}年内不再适用容缺受理；如在守信红名单内，移出红名单。")
    en = (f"Written commitment\n{subject}, applying for \"{matter_en or matter}\" through conditional acceptance, "
          f"undertakes to supply the following materials within {days} working days of acceptance (the deadlines "
          f"in the notice of conditional acceptance prevail):\n{en_items}\n"
          f"If any is not supplied in time, the applicant agrees that the application ends; that a broken "
          f"commitment is recorded in its credit file and it may not use conditional acceptance for {years} years; "
          f"and that any red-list entry of it is removed.")
    return zh, en


@dataclass(frozen=True)
class CaseEvent:
    """A row of the case's history, as far as the materials are concerned."""

    action: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ItemState:
    line: Line
    status: str
    days: int | None = None
    due_on: date | None = None
    submitted_at: datetime | None = None
    reason: str = ""  # why it was last rejected
    rejected_at: datetime | None = None
    # the deadline running now: from acceptance (the item's days and any extension), or, for a material rejected
    # when less than the resubmission period was left, from the rejection (the office's delay is not the applicant's)
    runs_from: datetime | None = None
    runs_days: int | None = None

    @property
    def no(self) -> int:
        return self.line.no


@dataclass
class MaterialsState:
    items: list[ItemState]
    accepted_at: datetime | None = None
    extension_days: int = 0
    extension_reason: str = ""

    @property
    def extended(self) -> bool:
        return self.extension_days > 0

    def item(self, no: int) -> ItemState | None:
        return next((i for i in self.items if i.no == no), None)

    def missing(self) -> list[ItemState]:
        return [i for i in self.items if not i.line.supplied]

    def outstanding(self) -> list[ItemState]:
        return [i for i in self.missing() if i.status in OUTSTANDING]

    def all_verified(self) -> bool:
        return all(i.status == VERIFIED for i in self.missing())

    def overdue(self, today: date) -> list[ItemState]:
        """Outstanding items whose deadline ended before `today`: the commitment is broken (the sweep says so)."""
        return [i for i in self.outstanding() if i.due_on is not None and i.due_on < today]

    def earliest_due(self) -> date | None:
        return min((i.due_on for i in self.outstanding() if i.due_on), default=None)


# (acceptance instant, working days) -> the due day
DueRule = Callable[[datetime, int], date]


def project(lines: list[Line], events: Iterable[CaseEvent], *, default_days: int, due: DueRule,
            resubmission_days: int = 0) -> MaterialsState:
    """The materials' state after the case's events. A missing item is due `days` (plus any extension) working
    days after acceptance; a rejected one is due no earlier than `resubmission_days` after its rejection, so a
    material handed in on time and rejected late is no breach until that period has run too."""
    state = MaterialsState([ItemState(line, SUPPLIED if line.supplied else MISSING) for line in lines])
    for event in events:
        data = event.data or {}
        if event.action == "accept_with_commitment":
            state.accepted_at = event.at
            for item in state.missing():
                item.days = int(data.get(f"days_{item.no}") or data.get("days") or default_days)
        elif event.action == "extend":
            state.extension_days += int(data.get("days") or 0)
            state.extension_reason = str(data.get("reason", ""))
        elif event.action in ("submit_materials", "verify_materials"):
            item = state.item(int(data.get("item") or 0))
            if item is None:
                continue
            if event.action == "submit_materials":
                item.status, item.submitted_at = SUBMITTED, event.at
            elif data.get("result") == REJECTED:
                item.status, item.reason, item.rejected_at = REJECTED, str(data.get("reason", "")), event.at
            else:
                item.status = VERIFIED
    if state.accepted_at is not None:
        for item in state.missing():
            item.runs_from, item.runs_days = state.accepted_at, (item.days or default_days) + state.extension_days
            item.due_on = due(item.runs_from, item.runs_days)
            if item.status == REJECTED and item.rejected_at is not None and resubmission_days:
                again = due(item.rejected_at, resubmission_days)
                if again > item.due_on:
                    item.runs_from, item.runs_days, item.due_on = item.rejected_at, resubmission_days, again
    return state

