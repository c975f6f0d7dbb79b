"""Process 2: early exit from the blacklist through credit repair (信用修复). domain.md, "Process 2".

"Whoever listed it, repairs it": the case's department is the listing department of the entry. The
applicant files a draft naming the entry (refused at once if the entry cannot be repaired), attaches
its proof, then submits it by signing the repair commitment; the acceptance limit runs from then.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from workflows.domain.errors import N_, InvalidInput
from workflows.domain.lists import LAST_VALID_DAY
from workflows.domain.process import (
    SYSTEM, Action, CaseView, DeadlineSpec, Field, ProcessDefinition, State, accepting_office, applicant, department,
)
from workflows.domain.roles import Role

ACCEPTANCE = DeadlineSpec("acceptance", "repair.acceptance_days", "accepting_office")
REVIEW = DeadlineSpec("review", "repair.review_days", "department")
MAX_KEY_ATTENTION_MONTHS = 60

lister = department(Role.LISTING_DEPARTMENT)


def signed(raw: object) -> bool:
    return raw is True or str(raw).strip().lower() in {"1", "true", "yes", "on", "y"}


def _date(raw: object, field: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidInput(N_("'%(value)s' is not a date (YYYY-MM-DD)"), field=field, value=raw) from None


def _months(raw: object, field: str) -> int:
    try:
        months = int(str(raw).strip())
    except ValueError:
        raise InvalidInput(N_("'%(value)s' is not a whole number of months"), field=field, value=raw) from None
    if not 1 <= months <= MAX_KEY_ATTENTION_MONTHS:
        raise InvalidInput(N_("the key-attention period must be 1 to %(max)s months"), field=field,
                           max=MAX_KEY_ATTENTION_MONTHS)
    return months


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def key_attention_until(params: Mapping[str, Any], today: date) -> date:
    """The key-attention validity the listing department set on approval: a date, or months from today."""
    until, months = params.get("key_attention_until"), params.get("key_attention_months")
    given = [v for v in (until, months) if v not in (None, "")]
    if not given:
        raise InvalidInput("set how long the subject stays on the key-attention list: an end date "
                           "(key_attention_until) or a number of months (key_attention_months)",
                           field="key_attention_until")
    if len(given) == 2:
        raise InvalidInput("give either an end date or a number of months for the key-attention list, not both",
                           field="key_attention_until")
    if until not in (None, ""):
        end = _date(until, "key_attention_until")
        if end <= today:
            raise InvalidInput(N_("the key-attention validity must end after today (%(today)s); %(day)s is not in "
                                  "the future"), field="key_attention_until", today=today.isoformat(),
                               day=end.isoformat())
        if end > LAST_VALID_DAY:
            raise InvalidInput(N_("the key-attention validity cannot run past %(last)s"),
                               field="key_attention_until", last=LAST_VALID_DAY.isoformat())
        return end
    return add_months(today, _months(months, "key_attention_months"))


def submit_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    if not signed(params.get("commitment_signed")):
        raise InvalidInput("sign the credit repair commitment (信用修复承诺书) to submit the application",
                           field="commitment_signed")
    if case.facts.get("proof_required") and not case.facts.get("proof_files"):
        raise InvalidInput(N_("entries of the category '%(category)s' need proof that the wrong has been put right: "
                              "attach at least one PDF, PNG or JPEG file"), field="files",
                           labels={"category": "category"}, category=case.facts.get("category", ""))
    return None


def approve_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    if case.facts.get("entry_status") == "suspended":  # nothing derived from a disputed record takes effect
        return N_("this entry is suspended while an objection against it is verified: wait for its result")
    key_attention_until(params, case.facts["today"])
    return None


def deny_guard(case: CaseView, params: Mapping[str, Any]) -> str | None:
    if len(str(params.get("reason") or "").strip()) < 5:
        raise InvalidInput("state the reasons for the denial (at least 5 characters): the applicant will read them",
                           field="reason")
    return None


@dataclass(frozen=True)
class CommitmentFacts:
    subject_name: str
    subject_code: str
    department_name: str
    document_no: str
    basis: str
    obligations: tuple[str, ...]


def commitment_text(facts: CommitmentFacts) -> str:
    """The written repair commitment (信用修复承诺书), generated from the entry: who, what, which obligations."""
    obligations = "；".join(facts.obligations) or "相关法定义务"
    return (
        f"信用修复承诺书\n本主体{facts.subject_name}（统一社会信用代码/身份证号：{facts.subject_code}）"
        f"因{facts.basis}（{facts.department_name}，文号：{facts.document_no or '无'}）被列入失信联合惩戒对象名单。"
        f"本主体承诺：已履行{obligations}，所提交的材料真实、准确、完整；修复后将严格遵守法律法规，"
        f"不再发生同类失信行为；如有虚假承诺或再次失信，自愿承担相应法律责任并接受重新列入名单。\n"
        f"Credit repair commitment: {facts.subject_name} ({facts.subject_code}), blacklisted by "
        f"{facts.department_name} (document {facts.document_no or '-'}), declares that it has performed the "
        f"obligations concerned, that its materials are true and complete, and that it will not repeat the "
        f"violation; a false commitment or a new violation brings it back on the list."
    )


RESULT = ("tell_result", "case.push_result")  # the applicant and the platform told the decision

REPAIR_EXIT = ProcessDefinition(
    name="repair_exit",
    states=(
        State("draft"),
        State("submitted"),
        State("awaiting_supplement"),
        State("under_review"),
        State("approved"),
        State("denied", final=True),
        State("refused", final=True),
        State("withdrawn", final=True),
        State("closed", final=True),
    ),
    initial="draft",
    filing=Action("file", (), "draft", applicant(),
                  fields=(Field("list_entry_id", kind="int"), Field("rectification"))),
    actions=(
        Action("submit", ("draft",), "submitted", applicant(),
               fields=(Field("commitment_signed", kind="bool"), Field("public_service", required=False)),
               guard=submit_guard, starts=(ACCEPTANCE,), then=("acknowledge", "tell_office")),
        Action("accept", ("submitted",), "under_review", accepting_office(), starts=(REVIEW,), ends=("acceptance",),
               then=("accepted",)),
        Action("request_supplement", ("submitted",), "awaiting_supplement", accepting_office(),
               fields=(Field("reason"),), pauses=("acceptance",), then=("request_supplement",)),
        Action("supplement", ("awaiting_supplement",), "submitted", applicant(),
               fields=(Field("note"),), resumes=("acceptance",), then=("tell_office",)),
        Action("refuse", ("submitted",), "refused", accepting_office(), fields=(Field("reason"),),
               ends=("acceptance",), then=RESULT),
        Action("approve", ("under_review",), "approved", lister,
               fields=(Field("key_attention_until", required=False, kind="date"),
                       Field("key_attention_months", required=False, kind="int"),
                       Field("reason", required=False)),
               guard=approve_guard, ends=("review",), then=("exit_listing", *RESULT, "case.close")),
        Action("deny", ("under_review",), "denied", lister, fields=(Field("reason"),), guard=deny_guard,
               ends=("review",), then=RESULT),
        Action("withdraw", ("draft", "submitted", "awaiting_supplement", "under_review"), "withdrawn", applicant(),
               fields=(Field("reason", required=False),), ends=("acceptance", "review"), then=("tell_result",)),
        Action("close", ("approved",), "closed", SYSTEM),
    ),
)
