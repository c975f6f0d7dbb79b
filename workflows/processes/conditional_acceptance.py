"""Process 3: conditional acceptance against a written commitment (容缺受理, green channel). domain.md, "Process 3".

The window is the licensing department's (the implementing department that owns the matter and applies
the green-channel incentive). Guards read facts the service derives from the case's history: each
missing item's status, the matter's processing time, the room left for an extension.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.domain.commitment import OUTSTANDING, REJECTED, SUBMITTED, SUPPLIED, VERIFIED, as_int
from workflows.domain.errors import N_, InvalidInput
from workflows.domain.process import (
    SYSTEM, Action, CaseView, DeadlineSpec, Field, ProcessDefinition, State, applicant, department,
)
from workflows.domain.roles import Role

ACCEPTANCE = DeadlineSpec("acceptance", "green.acceptance_days", "department")
PUBLICATION = DeadlineSpec("publication", "green.publication_days", "department")

window = department(Role.IMPLEMENTING_DEPARTMENT)


def _days(value: object, field: str, limit: int) -> int:
    days = as_int(value, field, minimum=1)
    if days > limit:
        raise InvalidInput(N_("a deadline of %(days)s working days is later than the matter's processing time "
                              "(%(limit)s working days)"), field=field, details={"processing_days": limit},
                           days=days, limit=limit)
    return days


# why a material's status refuses what is asked of it
_CANNOT = {"submitted": N_("material %(no)s is %(status)s: it cannot be submitted now"),
           "verified": N_("material %(no)s is %(status)s: it cannot be verified now")}


def _item(case: CaseView, params: Mapping[str, Any], wanted: tuple[str, ...], doing: str) -> int:
    no = as_int(params.get("item"), "item")
    status = case.facts.get("item_status", {}).get(no)
    if status is None or status == SUPPLIED:
        raise InvalidInput(N_("material %(no)s is not one of the missing materials of this application"),
                           field="item", no=no)
    if status not in wanted:
        raise InvalidInput(_CANNOT[doing], field="item", details={"item": no, "status": status},
                           labels={"status": "material"}, no=no, status=status)
    return no


def accept_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    """The subject still eligible (checked again when the window accepts: 应查必查, Q V(3)); each deadline at least
    1 working day and never beyond the matter's processing time."""
    verdict = case.facts.get("eligibility")
    if verdict is not None and not verdict.eligible:
        raise verdict.refusal_at_acceptance()
    limit = int(case.facts.get("processing_days") or 0)
    missing = {no for no, status in case.facts.get("item_status", {}).items() if status != SUPPLIED}
    if params.get("days") not in (None, ""):
        _days(params["days"], "days", limit)
    for key, value in params.items():
        if key.startswith("days_"):
            no = as_int(key[5:], key)
            if no not in missing:
                raise InvalidInput(N_("material %(no)s is not one of the missing materials of this application"),
                                   field=key, no=no)
            _days(value, key, limit)
    return None


def submit_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    _item(case, params, OUTSTANDING, "submitted")
    return None


def verify_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    _item(case, params, (SUBMITTED,), "verified")
    if params.get("result") == REJECTED and not str(params.get("reason") or "").strip():
        raise InvalidInput("say why the material is rejected", field="reason")
    return None


def extend_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    if case.facts.get("extended"):
        return N_("the deadline has already been extended once: only one extension is allowed")
    room = case.facts.get("extension_room")
    if room is None:
        return N_("no material is outstanding: there is no deadline to extend")
    days = as_int(params.get("days"), "days", minimum=1)
    if days > room:
        raise InvalidInput(N_("an extension of %(days)s working days would end after the matter's processing time "
                              "(%(room)s working days are left to it)"), field="days", details={"room": room},
                           days=days, room=room)
    return None


def withdraw_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    """Before a breach: once a deadline has passed with a material outstanding, the commitment is broken."""
    if case.facts.get("overdue"):
        return N_("a deadline has passed with a material still outstanding: the commitment is broken and the "
                  "application can no longer be withdrawn")
    return None


def complete_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    statuses = [s for s in case.facts.get("item_status", {}).values() if s != SUPPLIED]
    if statuses and all(s == VERIFIED for s in statuses):
        return None
    return N_("not every missing material is verified yet")


KEEP = "keep_deadlines"  # after every event: the materials and processing deadlines in line with the materials
RESULT = ("tell_result", "case.push_result")

CONDITIONAL_ACCEPTANCE = ProcessDefinition(
    name="conditional_acceptance",
    states=(
        State("submitted"),
        State("awaiting_materials"),
        State("materials_complete"),
        State("granted"),
        State("refused", final=True),
        State("commitment_breached", final=True),
        State("withdrawn", final=True),
        State("licence_refused", final=True),
        State("published", final=True),
    ),
    initial="submitted",
    filing=Action("file", (), "submitted", applicant(),
                  fields=(Field("matter"), Field("missing", kind="choice"), Field("signed", kind="bool"),
                          Field("signatory")),
                  starts=(ACCEPTANCE,), then=("acknowledge", "tell_window")),
    actions=(
        Action("accept_with_commitment", ("submitted",), "awaiting_materials", window,
               fields=(Field("days", required=False, kind="int"),), guard=accept_guard, ends=("acceptance",),
               then=(KEEP, "issue_notice")),
        Action("refuse", ("submitted",), "refused", window, fields=(Field("reason"),), ends=("acceptance",),
               then=(KEEP, *RESULT)),
        Action("submit_materials", ("awaiting_materials",), "awaiting_materials", applicant(),
               fields=(Field("item", kind="int"), Field("note", required=False),
                       Field("files", kind="files")), guard=submit_guard, then=(KEEP, "tell_window")),
        Action("verify_materials", ("awaiting_materials",), "awaiting_materials", window,
               fields=(Field("item", kind="int"), Field("result", choices=(VERIFIED, REJECTED)),
                       Field("reason", required=False)), guard=verify_guard, then=(KEEP, "tell_materials")),
        Action("extend", ("awaiting_materials",), "awaiting_materials", window,
               fields=(Field("days", kind="int"), Field("reason")), guard=extend_guard, then=(KEEP, "tell_extension")),
        Action("complete_materials", ("awaiting_materials",), "materials_complete", SYSTEM, guard=complete_guard,
               then=(KEEP, "tell_complete")),
        Action("commitment_breached", ("awaiting_materials",), "commitment_breached", SYSTEM,
               then=(KEEP, "record_breach", "tell_breach", "case.push_result")),
        Action("grant", ("materials_complete",), "granted", window, fields=(Field("licence_no"),),
               starts=(PUBLICATION,), then=(KEEP, "publish_grant")),
        Action("refuse_licence", ("materials_complete",), "licence_refused", window, fields=(Field("reason"),),
               then=(KEEP, *RESULT)),
        # the applicant withdraws until the licence is decided, unless a deadline has already been missed
        Action("withdraw", ("submitted", "awaiting_materials", "materials_complete"), "withdrawn", applicant(),
               fields=(Field("reason", required=False),), guard=withdraw_guard, ends=("acceptance",),
               then=(KEEP, *RESULT)),
        Action("publish", ("granted",), "published", SYSTEM, ends=("publication",), then=(KEEP, "case.push_result")),
    ),
    # a missed materials deadline ends the case itself; the department's deadlines warn and escalate as any other
    on_events={"warn": ("warn",), "breach": ("breach",), "escalate": ("escalate",)},
)
