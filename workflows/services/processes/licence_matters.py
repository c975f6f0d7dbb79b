"""The licence matters catalogue (行政许可事项): each matter's owning department, promised processing time
and required materials, statutory core or deferrable. Kept by the administrator.

Messages are fixed strings (values go in `details`) so the web layer can translate them.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.commitment import Material
from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.services.casework import history
from workflows.services.lists.catalogue import assign, check_code, clean_text
from workflows.store.green import LicenceMatter, MatterMaterial
from workflows.store.models import Department

MAX_DAYS = 365


@dataclass(frozen=True)
class MatterInput:
    name: str
    department_code: str
    processing_days: int
    name_en: str = ""
    materials_days: int | None = None
    legal_basis: str = ""
    active: bool = True


@dataclass(frozen=True)
class MaterialInput:
    name: str
    core: bool
    name_en: str = ""
    position: int = 0
    active: bool = True


def matters(session: Session, *, active_only: bool = False) -> list[LicenceMatter]:
    query = select(LicenceMatter).options(selectinload(LicenceMatter.department), selectinload(LicenceMatter.materials))
    if active_only:
        query = query.where(LicenceMatter.active.is_(True))
    return list(session.scalars(query.order_by(LicenceMatter.code)))


def get_matter(session: Session, matter_id: int) -> LicenceMatter:
    matter = session.get(LicenceMatter, matter_id)
    if matter is None:
        raise NotFound("no such licence matter", field="matter")
    return matter


def matter_by_code(session: Session, code: str, *, active_only: bool = True) -> LicenceMatter:
    matter = session.scalar(select(LicenceMatter).where(func.upper(LicenceMatter.code) == str(code or "").strip().upper()))
    if matter is None or (active_only and not matter.active):
        raise NotFound("no such licence matter", field="matter", details={"code": str(code or "")})
    return matter


def materials_of(matter: LicenceMatter) -> list[Material]:
    """The matter's active materials in the catalogue's order, as the domain sees them."""
    return [Material(m.id, m.name, m.core, m.name_en) for m in matter.materials if m.active]


def create_matter(session: Session, code: str, data: MatterInput, actor: Actor) -> LicenceMatter:
    code = check_code(code)
    if session.scalar(select(LicenceMatter.id).where(func.upper(LicenceMatter.code) == code)) is not None:
        raise Conflict("this code is already in use", field="code", details={"code": code})
    values = _matter_values(session, data)
    matter = LicenceMatter(code=code, **values)
    session.add(matter)
    session.flush()
    history.record(session, actor=actor, action="create_licence_matter", entity_type="licence_matter",
                   entity_id=matter.id, data={"code": code, **values})
    return matter


def update_matter(session: Session, matter_id: int, data: MatterInput, actor: Actor) -> LicenceMatter:
    """The code stays: applications and other systems refer to a matter by it."""
    matter = get_matter(session, matter_id)
    changed = assign(matter, _matter_values(session, data))
    if changed:
        history.record(session, actor=actor, action="update_licence_matter", entity_type="licence_matter",
                       entity_id=matter.id, data={"code": matter.code, "changed": changed})
    return matter


def get_material(session: Session, matter_id: int, material_id: int) -> MatterMaterial:
    material = session.get(MatterMaterial, material_id)
    if material is None or material.matter_id != matter_id:
        raise NotFound("no such material of this matter", field="material")
    return material


def add_material(session: Session, matter_id: int, data: MaterialInput, actor: Actor) -> MatterMaterial:
    matter = get_matter(session, matter_id)
    values = _material_values(data)
    if not values["position"]:
        values["position"] = max((m.position for m in matter.materials), default=0) + 1
    material = MatterMaterial(matter=matter, **values)
    session.add(material)
    session.flush()
    history.record(session, actor=actor, action="add_matter_material", entity_type="licence_matter",
                   entity_id=matter.id, data={"material_id": material.id, **values})
    return material


def update_material(session: Session, matter_id: int, material_id: int, data: MaterialInput,
                    actor: Actor) -> MatterMaterial:
    """Open applications keep the materials as they were filed; a change applies to new ones."""
    material = get_material(session, matter_id, material_id)
    changed = assign(material, _material_values(data))
    if changed:
        history.record(session, actor=actor, action="update_matter_material", entity_type="licence_matter",
                       entity_id=matter_id, data={"material_id": material.id, "changed": changed})
    return material


def _days(value: object, field: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise InvalidInput("this field is required", field=field)
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("must be a whole number of working days", field=field) from None
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(N_("must be between %(min)s and %(max)s"), field=field, min=1, max=MAX_DAYS)
    return days


def _matter_values(session: Session, data: MatterInput) -> dict:
    code = (data.department_code or "").strip().upper()
    department = session.scalar(select(Department).where(Department.code == code)) if code else None
    if department is None:
        raise NotFound("no such department", field="department", details={"code": code})
    processing = _days(data.processing_days, "processing_days", required=True)
    materials_days = _days(data.materials_days, "materials_days", required=False)
    if materials_days is not None and materials_days > processing:
        raise InvalidInput("the deadline for missing materials cannot be later than the processing time",
                           field="materials_days")
    return {"name": clean_text(data.name, "name", required=True), "name_en": clean_text(data.name_en, "name_en"),
            "department_id": department.id, "processing_days": processing, "materials_days": materials_days,
            "legal_basis": clean_text(data.legal_basis, "legal_basis", limit=4000), "active": bool(data.active)}


def _material_values(data: MaterialInput) -> dict:
    return {"name": clean_text(data.name, "name", required=True), "name_en": clean_text(data.name_en, "name_en"),
            "core": bool(data.core), "position": int(data.position or 0), "active": bool(data.active)}


# code, name, name_en, owning department, processing days, [(material, material_en, core)]
SEED = [
    ("FOOD-BIZ", "食品经营许可", "Food business licence", "SCJGJ", 20, [
        ("营业执照复印件", "Copy of the business licence", True),
        ("法定代表人身份证明", "Identity document of the legal representative", True),
        ("食品经营场所和设备布局、操作流程平面图", "Floor plan of the premises, equipment and workflow", False),
        ("食品安全管理制度文本", "Food safety management rules", False),
        ("食品安全管理人员健康证明", "Health certificate of the food safety manager", False),
    ]),
    ("PRINT-BIZ", "印刷经营许可", "Printing business licence", "SCJGJ", 15, [
        ("营业执照复印件", "Copy of the business licence", True),
        ("经营场所使用证明", "Proof of the right to use the premises", True),
        ("印刷设备清单", "List of printing equipment", False),
        ("质量管理制度", "Quality management rules", False),
    ]),
]


def seed(session: Session, actor: Actor) -> None:
    """The demo catalogue: added once, through the same service as the administrator's pages."""
    for code, name, name_en, department, days, materials in SEED:
        if session.scalar(select(LicenceMatter.id).where(LicenceMatter.code == code)) is not None:
            continue
        matter = create_matter(session, code, MatterInput(name=name, name_en=name_en, department_code=department,
                                                          processing_days=days,
                                                          legal_basis="《中华人民共和国行政许可法》"), actor)
        for position, (material, material_en, core) in enumerate(materials, start=1):
            add_material(session, matter.id, MaterialInput(material, core, material_en, position), actor)
