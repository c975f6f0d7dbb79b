"""Issuing written decisions: a numbered document in the transaction of the decision (or listing) that makes it.

The text is rendered once, in Chinese, when the document is issued, and kept with it: the PDF (documents.pdf)
prints what was issued, whatever the catalogue or the settings say later.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sla.calendar import local_date
from workflows.domain.documents import (DOCUMENT_KINDS, LISTING_NOTICE_LISTS, WRITTEN_DECISIONS, is_adverse,
                                        number_of)
from workflows.domain.errors import N_, InvalidInput
from workflows.domain.process import Actor
from workflows.labels import LISTS
from workflows.notices import MATERIAL_LINE, OBJECTION_RESULTS
from workflows.processes.repair_exit import key_attention_until
from workflows.services.admin import settings as settings_service
from workflows.services.deliveries import notify
from workflows.services.documents import numbering
from workflows.services.processes.conditional_acceptance import application_of, materials_state
from workflows.store import new_cases
from workflows.store.cases import Case
from workflows.store.documents import DecisionDocument
from workflows.store.models import Department, ListEntry

REFUSAL = N_("Your application filed on %(filed)s (case #%(case)s) is not accepted, for this reason: %(reason)s")
VERIFIED = N_("The information provider has verified the record that your objection filed on %(filed)s disputes "
              "(case #%(case)s). Result: %(result)s. %(reason)s")
BODIES: dict[tuple[str, str], str] = {
    ("objection", "accept"): N_(
        "Your objection filed on %(filed)s (case #%(case)s) meets the formal requirements and is accepted. The "
        "information provider verifies the information within the time limit; the joint punishment measures "
        "concerned are not executed while it is verified."),
    ("repair_exit", "accept"): N_(
        "Your credit repair application filed on %(filed)s (case #%(case)s) meets the formal requirements and is "
        "accepted; the listing department decides on it within the time limit."),
    ("objection", "refuse"): REFUSAL,
    ("repair_exit", "refuse"): REFUSAL,
    ("conditional_acceptance", "refuse"): REFUSAL,
    ("objection", "confirm"): VERIFIED,
    ("objection", "correct"): VERIFIED,
    ("objection", "revoke"): VERIFIED,
    ("repair_exit", "approve"): N_(
        "Your credit repair application (case #%(case)s) is granted: the blacklist entry ends early and its joint "
        "punishment measures stop. Under the rules the subject is on the key-attention list until %(until)s. "
        "%(reason)s"),
    ("repair_exit", "deny"): N_("Your credit repair application (case #%(case)s) is denied, for this reason: "
                                "%(reason)s"),
    ("conditional_acceptance", "accept_with_commitment"): N_(
        "Your application for “%(matter)s” (case #%(case)s) is accepted against your written commitment. Supply "
        "each missing material by its date:\n%(items)s\nIf a material is not supplied in time, the application "
        "ends and the broken commitment is recorded in the credit file."),
}
# a verification the subject did not ask for (a complaint, a department's own finding): the complainant is told of
# its complaint without being named (the subject reads the case too); the result goes to the subject, whose record it is
BY_ORIGIN: dict[tuple[str, str], str] = {
    ("complaint", "accept"): N_(
        "Your complaint filed on %(filed)s (case #%(case)s) is accepted: the information provider verifies the "
        "information within the time limit; the joint punishment measures concerned are not executed meanwhile."),
    ("complaint", "refuse"): N_("Your complaint filed on %(filed)s (case #%(case)s) is not accepted, for this reason: "
                                "%(reason)s"),
    ("complaint", "verified"): N_("The information provider has verified your credit record, on a complaint filed on "
                                  "%(filed)s (case #%(case)s). Result: %(result)s. %(reason)s"),
    ("department", "verified"): N_("The information provider has verified your credit record, on a department's own "
                                   "finding of %(filed)s (case #%(case)s). Result: %(result)s. %(reason)s"),
}
TO_COMPLAINANT = N_("To: the complainant")
LISTING = N_("%(department)s has recorded %(name)s on the %(list)s from %(listed)s until %(until)s. What was "
             "recorded, and its legal basis: %(basis)s (document no. %(document)s). The joint measures: "
             "%(measures)s. If you believe the record is wrong, you may file an objection with the credit office: "
             "the measures are not executed while it is verified.")
REPAIRABLE = N_("Once you have put the wrong right, you may apply for credit repair to leave the list early.")
RECIPIENT = N_("To: %(name)s (%(code)s)")
NONE = N_("none")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def issue_for_action(session: Session, case: Case, action: str, actor: Actor, params: Mapping[str, Any],
                     now: datetime) -> int | None:
    """The written decision an action makes, if the law makes it a written one (domain.documents): its id."""
    kind = WRITTEN_DECISIONS.get((case.process, action))
    department_id = issuing_department(session, case, actor) if kind is not None else None
    if kind is None or department_id is None:
        return None
    t = notify.translations(notify.PUBLIC_LOCALE)
    values = {"case": case.id, "filed": chinese_date(local_date(case.filed_at)),
              "reason": str(params.get("reason") or params.get("correction") or ""),
              "result": t.gettext(OBJECTION_RESULTS.get(action, "")) if action in OBJECTION_RESULTS else ""}
    if action == "approve":
        try:
            values["until"] = chinese_date(key_attention_until(params, local_date(now)))
        except InvalidInput:
            values["until"] = t.gettext(NONE)
    if case.process == "conditional_acceptance":
        application = application_of(session, case)
        values["matter"] = application.matter_name if application else ""
        values["items"] = "\n".join(t.gettext(MATERIAL_LINE) % {"material": i.line.name, "due": chinese_date(i.due_on)}
                                    for i in materials_state(session, case).missing() if i.due_on)
    origin = (case.data or {}).get("origin") or "applicant" if case.process == "objection" else "applicant"
    body = BY_ORIGIN.get((origin, "verified" if kind == "verification_result" else action),
                         BODIES[(case.process, action)])
    paragraphs = [(t.gettext(body) % values).strip()]
    if is_adverse(case.process, action):
        paragraphs.append(notify.rights_statement(notify.rights_params(session), t))
    subject = case.subject
    recipient = t.gettext(RECIPIENT) % {"name": subject.name, "code": subject.code} if subject is not None else ""
    if origin == "complaint" and kind != "verification_result":
        recipient = t.gettext(TO_COMPLAINANT)
    return issue(session, kind, department_id, now, recipient, paragraphs, action=action, case_id=case.id)


def issuing_department(session: Session, case: Case, actor: Actor) -> int | None:
    """Whose numbers a decision takes: the deciding department's; the accepting office, which has no department of
    its own, takes the one the administrator named (else the department the case concerns)."""
    if actor.department_id is not None:
        return actor.department_id
    code = settings_service.get(session, "documents.office_department")
    office = session.scalar(select(Department.id).where(Department.code == code)) if code else None
    return office or case.department_id


def issue_for_listing(session: Session, entry: ListEntry, now: datetime) -> int | None:
    """The notice of a dishonesty record that a listing on the blacklist or the key-attention list issues
    (Q V(5)): what was recorded, the basis, the measures, the validity, how to object (and repair) and the rights."""
    if entry.list_kind not in LISTING_NOTICE_LISTS or entry.subject is None:
        return None
    t = notify.translations(notify.PUBLIC_LOCALE)
    measures = "、".join(m.catalogue.name for m in entry.measures) or t.gettext(NONE)
    paragraphs = [t.gettext(LISTING) % {
        "department": entry.department.name, "name": entry.subject.name, "list": t.gettext(LISTS[entry.list_kind]),
        "listed": chinese_date(entry.listed_on), "until": chinese_date(entry.valid_until), "basis": entry.basis,
        "document": entry.document_no or t.gettext(NONE), "measures": measures}]
    if entry.list_kind == "black":
        paragraphs.append(t.gettext(REPAIRABLE))
    paragraphs.append(notify.rights_statement(notify.rights_params(session), t))
    recipient = t.gettext(RECIPIENT) % {"name": entry.subject.name, "code": entry.subject.code}
    return issue(session, "listing_notice", entry.department_id, now, recipient, paragraphs, action="list",
                 list_entry_id=entry.id)


def issue(session: Session, kind: str, department_id: int, now: datetime, recipient: str, paragraphs: list[str], *,
          action: str = "", case_id: int | None = None, list_entry_id: int | None = None) -> int:
    """A numbered document of the department, its number taken in this transaction: its id."""
    issuer, pattern = numbering.issuer_and_pattern(session, department_id)
    year = local_date(now).year
    sequence = numbering.next_sequence(session, department_id, year)
    number = number_of(pattern, department=issuer, kind=kind, year=year, n=sequence)
    t = notify.translations(notify.PUBLIC_LOCALE)
    values = dict(number=number, kind=kind, action=action, case_id=case_id, list_entry_id=list_entry_id,
                  department_id=department_id, year=year, sequence=sequence, issued_at=now,
                  fields={"title": t.gettext(DOCUMENT_KINDS[kind].title), "recipient": recipient,
                          "paragraphs": paragraphs, "issuer": issuer, "date": chinese_date(local_date(now))})
    # inserted at once, as its number was taken (a Core INSERT, not a flush of the whole session); whoever shows it
    # reads it (no object is made for a row its action does not read back: that cost as much as the insert)
    document_id = session.connection().execute(_INSERT, values).scalar_one()
    new_cases.wrote(session, case_id, new_cases.DOCUMENTS, id=document_id, number=number, kind=kind, action=action,
                    case_id=case_id, list_entry_id=list_entry_id, department_id=department_id,
                    issued_at=now.astimezone(UTC), title=values["fields"]["title"])
    return document_id


_INSERT = insert(DecisionDocument.__table__).returning(DecisionDocument.__table__.c.id)
