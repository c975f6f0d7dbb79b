"""Process 1: objection verification, measures suspended (异议处理). domain.md, "Process 1"."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from workflows.domain.errors import N_, InvalidInput
from workflows.domain.lists import Validity
from workflows.domain.process import (
    SYSTEM, Action, CaseView, DeadlineSpec, Field, ProcessDefinition, State, Who, accepting_office, department, party,
)
from workflows.domain.roles import Role

ACCEPTANCE = DeadlineSpec("acceptance", "objection.acceptance_days", "accepting_office")
VERIFICATION = DeadlineSpec("verification", "objection.verification_days", "department")

provider = department(Role.INFORMATION_PROVIDER)

# who opens the verification (Z VII(3), Q V(6)): the subject's objection (异议申请), a department's own finding
# while it applies or keeps the record (主动发现), or anyone's complaint (投诉); the rules per origin are in
# workflows/services/processes/objection.py
ORIGINS = ("applicant", "department", "complaint")
# anyone logged in files: the filing rule checks the origin against the filer (a subject's account, a department's
# staff, any person for a complaint)
filer = Who(frozenset(Role))


def origin_of(case: CaseView) -> str:
    return str(case.facts.get("origin") or "applicant")


def found_by_department(case: CaseView) -> bool:
    """A department's own finding needs no formal review by the accepting office: it goes to verification."""
    return origin_of(case) == "department"


def withdrawable(case: CaseView) -> bool:
    """Only the subject's own objection until the decision, or a complaint until it is accepted.

    After that the verification is the department's (the information may be wrong whoever raised it); a
    department's finding is decided, not withdrawn."""
    origin = origin_of(case)
    return origin == "applicant" or (origin == "complaint" and case.state != "verifying")


def correct_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    """A correction of a listing states what changes: the basis, the document number, the validity, or that the
    measures stop. (Against a red-list removal, `measures` alone says whether the removal stands.)"""
    if case.facts.get("against_removal"):
        return None
    given = {name for name in ("basis", "document_no", "valid_until") if str(params.get(name) or "").strip()}
    if not given and params.get("measures") != "stop":
        raise InvalidInput("state what the correction changes: the legal basis, the document number, the validity, "
                           "or stop the measures", field="basis")
    if len(str(params.get("document_no") or "").strip()) > 100:
        raise InvalidInput(N_("the document number is longer than %(count)s characters"), field="document_no",
                           count=100)
    if "valid_until" in given:
        try:
            until = date.fromisoformat(str(params["valid_until"]).strip())
        except ValueError:
            raise InvalidInput(N_("'%(value)s' is not a date (YYYY-MM-DD)"), field="valid_until",
                               value=params["valid_until"]) from None
        listed_on = case.facts.get("listed_on")
        if listed_on is not None:
            Validity(listed_on, until)  # after the listing day, not past the last valid day
    return None
DECISION = ("tell_result", "case.push_result", "case.close")  # told, pushed to the platform, closed

OBJECTION = ProcessDefinition(
    name="objection",
    states=(
        State("submitted"),
        State("awaiting_supplement"),
        State("verifying"),
        State("concluded"),
        State("refused", final=True),
        State("withdrawn", final=True),
        State("closed", final=True),
    ),
    initial="submitted",
    # the record disputed: a list entry, or a broken commitment in the credit file (one of the two); a complaint
    # names the subject's credit code and one of its public list entries
    filing=Action("file", (), "submitted", filer,
                  fields=(Field("origin", required=False, choices=ORIGINS),
                          Field("list_entry_id", required=False, kind="int"),
                          Field("broken_commitment_id", required=False, kind="int"),
                          Field("subject_code", required=False, kind="line"), Field("grounds")),
                  starts=(ACCEPTANCE,), then=("acknowledge", "tell_office")),
    actions=(
        # a department's own finding: verified at once, with the same consequences as an accepted objection
        Action("begin_verification", ("submitted",), "verifying", SYSTEM, applies=found_by_department,
               starts=(VERIFICATION,), ends=("acceptance",), then=("suspend_listing", "tell_provider")),
        Action("accept", ("submitted",), "verifying", accepting_office(), starts=(VERIFICATION,), ends=("acceptance",),
               then=("suspend_listing", "tell_provider")),
        Action("request_supplement", ("submitted",), "awaiting_supplement", accepting_office(),
               fields=(Field("reason"),), pauses=("acceptance",), then=("request_supplement",)),
        Action("supplement", ("awaiting_supplement",), "submitted", party(),
               fields=(Field("note"),), resumes=("acceptance",), then=("tell_office",)),
        Action("refuse", ("submitted",), "refused", accepting_office(), fields=(Field("reason"),), ends=("acceptance",),
               then=("tell_result", "case.push_result")),
        Action("confirm", ("verifying",), "concluded", provider, fields=(Field("reason"),), ends=("verification",),
               then=("resume_listing", *DECISION)),
        # the provider states what changes: the published record is corrected (workflows.services.lists.correction)
        Action("correct", ("verifying",), "concluded", provider,
               fields=(Field("correction"), Field("measures", choices=("resume", "stop")),
                       Field("basis", required=False), Field("document_no", required=False, kind="line"),
                       Field("valid_until", required=False, kind="date")),
               guard=correct_guard, ends=("verification",), then=("apply_correction", *DECISION)),
        Action("revoke", ("verifying",), "concluded", provider, fields=(Field("reason"),), ends=("verification",),
               then=("revoke_listing", *DECISION, "erase_personal_data")),
        Action("withdraw", ("submitted", "awaiting_supplement", "verifying"), "withdrawn", party(),
               fields=(Field("reason", required=False),), applies=withdrawable, ends=("acceptance", "verification"),
               then=("resume_listing", "tell_result")),
        Action("close", ("concluded",), "closed", SYSTEM),
    ),
)
