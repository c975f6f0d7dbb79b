"""Credit repair's rules as data: who may act, what each action needs, the key-attention validity."""
from datetime import date

import pytest

from workflows.domain.errors import ActionNotAllowed, InvalidInput, RoleNotAllowed
from workflows.domain.process import Actor, CaseView
from workflows.domain.roles import Role
from workflows.processes.repair_exit import (
    REPAIR_EXIT, CommitmentFacts, add_months, commitment_text, key_attention_until,
)

TODAY = date(2026, 12, 2)
APPLICANT = Actor(user_id=1, roles=frozenset({Role.APPLICANT}), subject_id=10)
OFFICE = Actor(user_id=2, roles=frozenset({Role.ACCEPTING_OFFICE}), department_id=1)
LISTER = Actor(user_id=3, roles=frozenset({Role.LISTING_DEPARTMENT}), department_id=5)
OTHER_LISTER = Actor(user_id=4, roles=frozenset({Role.LISTING_DEPARTMENT}), department_id=6)


def case(state, **facts):
    return CaseView("repair_exit", state, subject_id=10, department_id=5,
                    facts={"today": TODAY, "proof_required": True, "proof_files": 1, "category": "tax", **facts})


def test_submit_needs_the_signed_commitment():
    with pytest.raises(InvalidInput) as error:
        REPAIR_EXIT.apply(case("draft"), "submit", APPLICANT, {"commitment_signed": False})
    assert error.value.field == "commitment_signed" and "承诺书" in error.value.message
    assert REPAIR_EXIT.apply(case("draft"), "submit", APPLICANT, {"commitment_signed": "on"}).target == "submitted"


def test_submit_needs_proof_where_the_category_requires_it():
    with pytest.raises(InvalidInput) as error:
        REPAIR_EXIT.apply(case("draft", proof_files=0), "submit", APPLICANT, {"commitment_signed": True})
    assert error.value.field == "files" and "'tax'" in error.value.message
    optional = case("draft", proof_files=0, proof_required=False)
    assert REPAIR_EXIT.apply(optional, "submit", APPLICANT, {"commitment_signed": True}).target == "submitted"


@pytest.mark.parametrize("params, words", [
    ({}, "key-attention list"),
    ({"key_attention_until": "2026-12-02"}, "must end after today"),
    ({"key_attention_until": "2025-01-01"}, "must end after today"),
    ({"key_attention_until": "02/03/2027"}, "not a date"),
    ({"key_attention_until": "2027-06-01", "key_attention_months": 6}, "not both"),
    ({"key_attention_months": 0}, "1 to 60 months"),
    ({"key_attention_months": "twelve"}, "whole number"),
])
def test_approval_needs_a_future_key_attention_validity(params, words):
    with pytest.raises(InvalidInput) as error:
        REPAIR_EXIT.apply(case("under_review"), "approve", LISTER, params)
    assert words in error.value.message


def test_the_validity_is_a_date_or_a_period_in_months():
    assert key_attention_until({"key_attention_until": "2027-06-30"}, TODAY) == date(2027, 6, 30)
    assert key_attention_until({"key_attention_months": "12"}, TODAY) == date(2027, 12, 2)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_only_the_listing_department_decides():
    with pytest.raises(RoleNotAllowed):
        REPAIR_EXIT.apply(case("under_review"), "approve", OTHER_LISTER, {"key_attention_months": 12})
    with pytest.raises(RoleNotAllowed):
        REPAIR_EXIT.apply(case("under_review"), "deny", OFFICE, {"reason": "材料不全，且罚款未缴清"})
    with pytest.raises(ActionNotAllowed):
        REPAIR_EXIT.apply(case("submitted"), "approve", LISTER, {"key_attention_months": 12})


def test_deny_needs_reasons():
    for reason in ("", "   ", "no"):
        with pytest.raises(InvalidInput) as error:
            REPAIR_EXIT.apply(case("under_review"), "deny", LISTER, {"reason": reason})
        assert error.value.field == "reason"
    assert REPAIR_EXIT.apply(case("under_review"), "deny", LISTER, {"reason": "罚款尚未缴清"}).target == "denied"


def test_timers_pause_for_a_supplement_and_the_review_starts_on_acceptance():
    assert REPAIR_EXIT.apply(case("submitted"), "request_supplement", OFFICE, {"reason": "x"}).pauses == ("acceptance",)
    accept = REPAIR_EXIT.apply(case("submitted"), "accept", OFFICE)
    assert [d.kind for d in accept.starts] == ["review"] and accept.ends == ("acceptance",)
    assert accept.starts[0].limit_setting == "repair.review_days"


def test_commitment_names_who_what_and_which_obligations():
    text = commitment_text(CommitmentFacts("珠海示例科技有限公司", "91440400MA4UH8XQ7X", "市市场监督管理局",
                                           "珠市监信〔2026〕12号", "未履行公示义务", ("珠市监信〔2026〕12号所确定的全部义务",)))
    for part in ("信用修复承诺书", "珠海示例科技有限公司", "91440400MA4UH8XQ7X", "市市场监督管理局", "珠市监信〔2026〕12号",
                 "未履行公示义务", "所确定的全部义务"):
        assert part in text


def test_a_key_attention_validity_past_the_last_valid_day_is_refused():
    from workflows.processes.repair_exit import key_attention_until

    with pytest.raises(InvalidInput, match="cannot run past 2999-12-31"):
        key_attention_until({"key_attention_until": "9999-12-31"}, date(2026, 12, 2))
