"""The administrator's reference data: departments and the catalogue of joint measures (联合奖惩措施).

Messages are fixed strings (values go in `details`) so the web layer can translate them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.errors import Conflict, InvalidInput, NotFound
from workflows.domain.lists import MeasureEffect, MeasureObligation
from workflows.domain.process import Actor
from workflows.domain.subjects import single_line_name
from workflows.services.casework import history
from workflows.store.models import Department, Measure, MeasureCatalogueItem

_CODE = re.compile(r"[A-Z][A-Z0-9_-]{0,31}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class DepartmentInput:
    name: str
    name_en: str = ""
    email: str = ""


@dataclass(frozen=True)
class MeasureInput:
    name: str
    effect: str
    obligation: str
    department_code: str
    name_en: str = ""
    legal_basis: str = ""
    active: bool = True


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code)))


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound("no such department", field="department")
    return department


def create_department(session: Session, code: str, data: DepartmentInput, actor: Actor) -> Department:
    code = check_code(code)
    if session.scalar(select(Department.id).where(func.upper(Department.code) == code)) is not None:
        raise Conflict("this code is already in use", field="code", details={"code": code})
    values = _department_values(data)
    department = Department(code=code, **values)
    session.add(department)
    session.flush()
    history.record(session, actor=actor, action="create_department", entity_type="department",
                   entity_id=department.id, data={"code": code, **values})
    return department


def update_department(session: Session, department_id: int, data: DepartmentInput, actor: Actor) -> Department:
    """The code stays: list entries, users and API clients refer to a department by it."""
    department = get_department(session, department_id)
    changed = assign(department, _department_values(data))
    if changed:
        history.record(session, actor=actor, action="update_department", entity_type="department",
                       entity_id=department.id, data={"code": department.code, "changed": changed})
    return department


def catalogue(session: Session) -> list[MeasureCatalogueItem]:
    query = select(MeasureCatalogueItem).options(selectinload(MeasureCatalogueItem.department))
    return list(session.scalars(query.order_by(MeasureCatalogueItem.code)))


def get_measure(session: Session, item_id: int) -> MeasureCatalogueItem:
    item = session.get(MeasureCatalogueItem, item_id)
    if item is None:
        raise NotFound("no such measure in the catalogue", field="measure")
    return item


def create_measure(session: Session, code: str, data: MeasureInput, actor: Actor) -> MeasureCatalogueItem:
    code = check_code(code)
    if session.scalar(select(MeasureCatalogueItem.id).where(func.upper(MeasureCatalogueItem.code) == code)):
        raise Conflict("this code is already in use", field="code", details={"code": code})
    values = _measure_values(session, data)
    item = MeasureCatalogueItem(code=code, **values)
    session.add(item)
    session.flush()
    history.record(session, actor=actor, action="create_measure", entity_type="measure_catalogue",
                   entity_id=item.id, data={"code": code, **values})
    return item


def update_measure(session: Session, item_id: int, data: MeasureInput, actor: Actor) -> MeasureCatalogueItem:
    """The code stays (listing requests name measures by it); the effect stays once it is applied."""
    item = get_measure(session, item_id)
    values = _measure_values(session, data)
    if values["effect"] != item.effect and _in_use(session, item.id):
        raise Conflict("the effect cannot change while the measure is applied to list entries", field="effect")
    changed = assign(item, values)
    if changed:
        history.record(session, actor=actor, action="update_measure", entity_type="measure_catalogue",
                       entity_id=item.id, data={"code": item.code, "changed": changed})
    return item


def _in_use(session: Session, item_id: int) -> bool:
    return session.scalar(select(Measure.id).where(Measure.catalogue_id == item_id).limit(1)) is not None


def check_code(raw: str) -> str:
    code = (raw or "").strip().upper()
    if not code:
        raise InvalidInput("a code is required", field="code")
    if not _CODE.fullmatch(code):
        raise InvalidInput("use capital letters, digits, '-' and '_' only, starting with a letter, "
                           "at most 32 characters", field="code", details={"code": code})
    return code


def clean_text(raw: str | None, field: str, *, required: bool = False, limit: int = 200,
               one_line: bool = False) -> str:
    """`one_line`: a name, refused with a line break or another control character (single_line_name)."""
    value = single_line_name(raw, field=field, required=False) if one_line else (raw or "").strip()
    if required and not value:
        raise InvalidInput("this field is required", field=field)
    if len(value) > limit:
        raise InvalidInput("too long", field=field, details={"max_length": limit})
    return value


def _department_values(data: DepartmentInput) -> dict:
    email = clean_text(data.email, "email")
    if email and not _EMAIL.fullmatch(email):
        raise InvalidInput("not a valid e-mail address", field="email")
    return {"name": clean_text(data.name, "name", required=True, one_line=True),
            "name_en": clean_text(data.name_en, "name_en", one_line=True), "email": email}


def _measure_values(session: Session, data: MeasureInput) -> dict:
    name = clean_text(data.name, "name", required=True, limit=300, one_line=True)
    name_en = clean_text(data.name_en, "name_en", limit=300, one_line=True)
    if data.effect not in set(MeasureEffect):
        raise InvalidInput("must be incentive or punishment", field="effect")
    if data.obligation not in set(MeasureObligation):
        raise InvalidInput("must be mandatory or recommended", field="obligation")
    code = (data.department_code or "").strip().upper()
    department = session.scalar(select(Department).where(Department.code == code)) if code else None
    if department is None:
        raise NotFound("no such department", field="department", details={"code": code})
    return {"name": name, "name_en": name_en, "effect": str(data.effect), "obligation": str(data.obligation),
            "department_id": department.id, "legal_basis": clean_text(data.legal_basis, "legal_basis", limit=4000),
            "active": bool(data.active)}


def assign(row, values: dict) -> dict:
    """Set the values that differ; returns {field: [old, new]} for the history."""
    changed = {}
    for key, value in values.items():
        old = getattr(row, key)
        if old != value:
            changed[key] = [old, value]
            setattr(row, key, value)
    return changed
