"""Green-channel eligibility: each rule on its own, with the reason the applicant and the API see."""
from datetime import date

import pytest

from workflows.domain.eligibility import (
    BLACK, BROKEN_COMMITMENT, KEY_ATTENTION, ORDINARY_ROUTE, RED, CreditFacts, NotEligible, Record, check,
)

TODAY = date(2026, 12, 2)


def verdict(on_lists=(), records=(), today=TODAY):
    return check(CreditFacts(frozenset(on_lists), tuple(records)), today, clean_record_years=3,
                 broken_commitment_years=3)


def codes(result):
    return [(r.code, r.supports) for r in result.reasons]


def test_red_list_makes_a_subject_eligible_even_with_an_old_bad_record():
    result = verdict({RED}, [Record(BLACK, date(2024, 1, 1), date(2025, 1, 1))])
    assert result.eligible
    assert codes(result) == [("red_list", True)]
    assert result.reasons[0].message == "on the red list (a subject of joint incentives)"


def test_no_bad_record_for_three_years_makes_a_subject_eligible():
    result = verdict((), [Record(BLACK, date(2020, 1, 1), date(2023, 12, 1))])  # ended more than 3 years ago
    assert result.eligible
    assert codes(result) == [("clean_record", True)]
    assert result.reasons[0].message == "no bad credit record in the last 3 years"


def test_a_bad_record_within_three_years_without_the_red_list_makes_a_subject_ineligible():
    result = verdict((), [Record(BLACK, date(2022, 1, 1), date(2024, 6, 30))])
    assert not result.eligible
    assert codes(result) == [("bad_record", False)]
    assert result.reasons[0].message == ("not on the red list, and a bad credit record was in force within the last "
                                         "3 years (last on 2024-06-30)")
    assert result.reasons[0].public  # a blacklisting was public


def test_the_clean_record_window_is_a_setting():
    facts = CreditFacts(frozenset(), (Record(BLACK, date(2022, 1, 1), date(2024, 6, 30)),))
    assert check(facts, TODAY, clean_record_years=2, broken_commitment_years=3).eligible
    assert not check(facts, TODAY, clean_record_years=3, broken_commitment_years=3).eligible


def test_the_blacklist_makes_a_subject_ineligible_even_on_the_red_list():
    result = verdict({RED, BLACK}, [Record(BLACK, date(2026, 1, 1))])
    assert not result.eligible
    assert ("blacklisted", False) in codes(result)
    assert "on the blacklist (a subject of joint punishment)" in result.refusal().message


def test_the_key_attention_list_makes_a_subject_ineligible_for_a_reason_that_is_not_public():
    result = verdict({RED, KEY_ATTENTION})
    assert not result.eligible
    assert ("key_attention", False) in codes(result)
    assert not next(r for r in result.reasons if r.code == "key_attention").public


def test_a_broken_commitment_within_the_window_makes_a_subject_ineligible_with_its_date():
    result = verdict({RED}, [Record(BROKEN_COMMITMENT, date(2026, 11, 20), date(2026, 11, 20))])
    assert not result.eligible
    reason = next(r for r in result.reasons if r.code == "broken_commitment")
    assert reason.message == "broke a written commitment on 2026-11-20, within the last 3 years"
    assert reason.params == {"date": "2026-11-20", "years": 3}
    assert not reason.public


def test_a_broken_commitment_older_than_the_window_no_longer_counts_for_a_red_list_subject():
    result = verdict({RED}, [Record(BROKEN_COMMITMENT, date(2023, 11, 1), date(2023, 11, 1))])
    assert result.eligible


def test_the_refusal_names_every_reason_and_points_to_the_ordinary_route():
    result = verdict({BLACK}, [Record(BLACK, date(2026, 1, 1)), Record(BROKEN_COMMITMENT, date(2026, 5, 1))])
    refusal = result.refusal()
    assert isinstance(refusal, NotEligible) and refusal.http_status == 403
    assert "on the blacklist" in refusal.message and "broke a written commitment on 2026-05-01" in refusal.message
    assert refusal.message.endswith(ORDINARY_ROUTE)
    assert refusal.details["ordinary_route"] == ORDINARY_ROUTE
    assert {r["code"] for r in refusal.details["reasons"]} >= {"blacklisted", "broken_commitment", "bad_record"}


@pytest.mark.parametrize("today", [date(2028, 2, 29)])
def test_a_leap_day_counts_back_to_the_28th(today):
    result = verdict((), [Record(BLACK, date(2024, 1, 1), date(2025, 2, 27))], today=today)
    assert result.eligible
