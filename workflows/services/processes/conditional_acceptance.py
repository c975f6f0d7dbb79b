"""The green channel's rules that need the database: filing (eligibility, materials, the signed commitment),
the materials' state derived from the case's history, and the actions the pages take with their effects.

Every state change goes through services.cases.take_action. An action's effects beyond the case (the
material deadlines, the move to materials_complete once the last item is verified) follow every action in
its own transaction (its follow-up in process_rules, so pages, API and flows get the same), and the flow
reconciles again after every event: both are idempotent.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.commitment import (
    SUPPLIED,
    VERIFIED,
    CaseEvent,
    Line,
    MaterialsState,
    commitment_text,
    lines_for,
    project,
)
from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.processes import definition
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings
from workflows.services.casework.case_records import Filing, get_case, may_view
from workflows.services.processes.eligibility import eligibility_of
from workflows.services.processes.licence_matters import materials_of, matter_by_code
from workflows.store.base import utcnow
from workflows.store.cases import Case, EvidenceFile
from workflows.store.green import GreenApplication
from workflows.store.models import HistoryEntry, Subject

PROCESS = "conditional_acceptance"
SYSTEM = Actor.system("green channel")
MATERIAL_ACTIONS = ("accept_with_commitment", "extend", "submit_materials", "verify_materials")


def _missing_ids(raw: object) -> list[object]:
    """A list from JSON ([3, 4]), a form (["3", "4"]) or a string ("3,4")."""
    if raw in (None, ""):
        return []
    if isinstance(raw, list | tuple | set):
        return list(raw)
    return [part for part in str(raw).replace("，", ",").split(",") if part.strip()]


def _signed(raw: object) -> bool:
    return raw is True or str(raw).strip().lower() in {"1", "true", "yes", "on"}


def open_case_for_matter(session: Session, subject_id: int, matter_code: str) -> Case | None:
    final = definition(PROCESS).final_states()
    for case in session.scalars(select(Case).where(Case.process == PROCESS, Case.subject_id == subject_id,
                                                   Case.state.not_in(final))):
        application = application_of(session, case)
        if application is not None and application.matter_code == matter_code:
            return case
    return None


def default_days(session: Session, matter) -> int:
    """The deadline a commitment names: the matter's own, else the setting; never beyond the processing time."""
    return min(matter.materials_days or settings.get(session, "green.materials_days"), matter.processing_days)


@dataclass(frozen=True)
class Draft:
    """An application before it is signed: what the applicant reads and signs."""

    matter: Any  # LicenceMatter
    lines: list[Line]
    days: int
    commitment_zh: str
    commitment_en: str

    @property
    def missing(self) -> list[Line]:
        return [line for line in self.lines if not line.supplied]


def draft(session: Session, subject: Subject, matter_code: str, missing: object) -> Draft:
    """The lines and the generated commitment for these missing materials; refuses what filing would refuse."""
    matter = matter_by_code(session, str(matter_code or ""))
    lines = lines_for(materials_of(matter), _missing_ids(missing))
    days = default_days(session, matter)
    zh, en = commitment_text(subject=subject.name, matter=matter.name, matter_en=matter.name_en,
                             missing=[line for line in lines if not line.supplied], days=days,
                             years=settings.get(session, "green.broken_commitment_years"))
    return Draft(matter, lines, days, zh, en)


def file_conditional_acceptance(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    subject = session.get(Subject, actor.subject_id) if actor.subject_id else None
    if subject is None:
        raise NotFound("no credit subject to file for", field="subject")
    verdict = eligibility_of(session, subject.id)
    if not verdict.eligible:
        raise verdict.refusal()
    drafted = draft(session, subject, str(params.get("matter", "")), params.get("missing"))
    matter, lines = drafted.matter, drafted.lines
    if not _signed(params.get("signed")):
        raise InvalidInput("sign the written commitment to file", field="signed")
    signatory = str(params.get("signatory", "")).strip()
    if not signatory or len(signatory) > 100:
        raise InvalidInput("give the name of the person who signs the commitment (at most 100 characters)",
                           field="signatory")
    existing = open_case_for_matter(session, subject.id, matter.code)
    if existing is not None:
        raise Conflict(N_("a green-channel application for this matter is already open (case #%(id)s)"),
                       field="matter", id=existing.id)
    days, missing, zh, en = drafted.days, drafted.missing, drafted.commitment_zh, drafted.commitment_en
    application = GreenApplication(
        subject_id=subject.id, matter_id=matter.id, matter_code=matter.code, matter_name=matter.name,
        matter_name_en=matter.name_en, processing_days=matter.processing_days, default_days=days,
        lines=[line.as_dict() for line in lines], eligibility=[r.as_dict() for r in verdict.reasons],
        commitment_zh=zh, commitment_en=en, signatory=signatory, signed_by_id=actor.user_id, signed_at=utcnow())
    session.add(application)
    session.flush()
    data = {"application_no": application.number, "matter": matter.name,
            "materials_supplied": "；".join(line.name for line in lines if line.supplied),
            "materials_missing": "；".join(line.name for line in missing),
            "commitment": f"{zh}\n\n{en}", "signatory": signatory}
    return Filing(subject_id=subject.id, department_id=matter.department_id, data=data)


def application_of(session: Session, case: Case) -> GreenApplication | None:
    application_id = GreenApplication.id_from((case.data or {}).get("application_no", ""))
    return session.get(GreenApplication, application_id) if application_id else None


def lines_of(application: GreenApplication) -> list[Line]:
    return [Line.from_dict(line) for line in application.lines]


def due_day(accepted_at: datetime, days: int) -> date:
    return calendar.add_working_days(calendar.local_date(accepted_at), days)


def materials_state(session: Session, case: Case) -> MaterialsState:
    application = application_of(session, case)
    if application is None:
        return MaterialsState([])
    calendar_service.install_from(session)
    rows = session.scalars(select(HistoryEntry).where(HistoryEntry.case_id == case.id, HistoryEntry.entity_type == "case",
                                                      HistoryEntry.action.in_(MATERIAL_ACTIONS))
                           .order_by(HistoryEntry.id))
    events = [CaseEvent(row.action, row.at, row.data or {}) for row in rows]
    return project(lines_of(application), events, default_days=application.default_days, due=due_day,
                   resubmission_days=settings.get(session, "green.resubmission_days"))


def processing_limit(session: Session, case: Case, state: MaterialsState) -> date | None:
    """The last day of the matter's promised processing time, counted from acceptance."""
    application = application_of(session, case)
    if application is None or state.accepted_at is None:
        return None
    return due_day(state.accepted_at, application.processing_days)


def facts(session: Session, case: Case) -> dict:
    state = materials_state(session, case)
    application = application_of(session, case)
    room = None
    limit = processing_limit(session, case, state)
    open_dues = [i.due_on for i in state.missing() if i.status != VERIFIED and i.due_on]
    if limit is not None and open_dues:
        room = calendar.working_days_between(max(open_dues), limit)
    facts = {"item_status": {i.no: i.status for i in state.items},
             "processing_days": application.processing_days if application else 0,
             "extended": state.extended, "extension_room": room,
             "overdue": [i.no for i in state.overdue(calendar.local_date(utcnow()))]}
    if case.state == "submitted" and case.subject_id is not None:  # checked again when the window accepts (应查必查)
        facts["eligibility"] = eligibility_of(session, case.subject_id)
    return facts



def all_verified(session: Session, case: Case) -> bool:
    state = materials_state(session, case)
    return bool(state.missing()) and state.all_verified()


@dataclass(frozen=True)
class ItemView:
    """A material as the case page shows it: its state, deadline and files."""

    no: int
    name: str
    name_en: str
    core: bool
    status: str
    due_on: date | None
    reason: str
    files: list[EvidenceFile]


def item_views(session: Session, case: Case, state: MaterialsState | None = None) -> list[ItemView]:
    state = state or materials_state(session, case)
    files: dict[int, list[EvidenceFile]] = {}
    for evidence in case.evidence:
        if evidence.purpose.startswith("material:") and evidence.purpose[9:].isdigit():
            files.setdefault(int(evidence.purpose[9:]), []).append(evidence)
    return [ItemView(i.no, i.line.name, i.line.name_en, i.line.core, i.status, i.due_on, i.reason,
                     files.get(i.no, [])) for i in state.items]


def supplied_lines(application: GreenApplication) -> list[Line]:
    return [line for line in lines_of(application) if line.supplied and line.no]


# --- a green case as its applicant and the window see it (pages and API alike) ---

CONSEQUENCE = ("If a material is not supplied by its deadline, the application ends, the broken commitment is "
               "recorded in the applicant's credit file, and any red-list entry of the applicant goes to red-list "
               "removal.")


def green_case(session: Session, case_id: int, actor: Actor) -> Case:
    """A green-channel case the actor may see; any other case is not found (its existence is not given away)."""
    case = get_case(session, case_id)
    if case.process != PROCESS or not may_view(case, actor):
        raise NotFound(N_("no green-channel case #%(id)s"), field="case", id=case_id)
    return case


@dataclass(frozen=True)
class Notice:
    """The notice of conditional acceptance (容缺受理通知书): issued once the window has accepted."""

    case: Case
    application: GreenApplication
    state: MaterialsState
    items: list[ItemView]

    @property
    def deferred(self) -> list[ItemView]:
        return [i for i in self.items if i.status != SUPPLIED]

    @property
    def supplied(self) -> list[ItemView]:
        return [i for i in self.items if i.status == SUPPLIED]


def notice(session: Session, case_id: int, actor: Actor) -> Notice:
    case = green_case(session, case_id, actor)
    application = application_of(session, case)
    state = materials_state(session, case)
    if application is None or state.accepted_at is None:
        raise NotFound(N_("case #%(id)s has not been accepted: there is no notice yet"), field="case", id=case_id)
    return Notice(case, application, state, item_views(session, case, state))


__all__ = ["SUPPLIED", "application_of", "item_views", "materials_state", "processing_limit"]
