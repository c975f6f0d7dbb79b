"""Red-list removal as data: which trigger leads where, who decides an abuse report, what may be contested."""
import pytest

from workflows.domain.errors import ActionNotAllowed, GuardFailed, InvalidInput, RoleNotAllowed
from workflows.domain.lists import ExitReason
from workflows.domain.process import Actor, CaseView
from workflows.domain.roles import Role
from workflows.processes import definition
from workflows.processes.redlist_removal import AUTOMATIC, CONTESTABLE, REDLIST_REMOVAL, REPORTED, TRIGGERS

LISTER = Actor(user_id=1, roles=frozenset({Role.LISTING_DEPARTMENT}), department_id=7)
OTHER_LISTER = Actor(user_id=2, roles=frozenset({Role.LISTING_DEPARTMENT}), department_id=8)
IMPLEMENTER = Actor(user_id=3, roles=frozenset({Role.IMPLEMENTING_DEPARTMENT}), department_id=7)
SYSTEM = Actor.system()


def case(state, trigger):
    return CaseView("redlist_removal", state, subject_id=42, department_id=7, facts={"trigger": trigger})


def test_registered_with_the_other_processes():
    assert definition("redlist_removal") is REDLIST_REMOVAL


@pytest.mark.parametrize("trigger", sorted(AUTOMATIC))
def test_an_automatic_trigger_is_removed_by_the_system_at_once(trigger):
    assert REDLIST_REMOVAL.apply(case("opened", trigger), "remove", SYSTEM).target == "removed"
    with pytest.raises(GuardFailed):
        REDLIST_REMOVAL.apply(case("opened", trigger), "report", SYSTEM)


def test_an_abuse_report_waits_for_the_listing_department_with_a_deadline():
    transition = REDLIST_REMOVAL.apply(case("opened", "abuse"), "report", SYSTEM)
    assert transition.target == "reported"
    assert [d.limit_setting for d in transition.starts] == ["redlist.abuse_review_days"]
    with pytest.raises(GuardFailed, match="automatic trigger"):
        REDLIST_REMOVAL.apply(case("opened", "abuse"), "remove", SYSTEM)


def test_only_the_listing_department_of_the_entry_confirms_or_dismisses():
    reported = case("reported", "abuse")
    assert REDLIST_REMOVAL.apply(reported, "confirm_abuse", LISTER, {"reason": "属实"}).target == "removed"
    assert REDLIST_REMOVAL.apply(reported, "dismiss", LISTER, {"reason": "不实"}).target == "dismissed"
    for someone in (OTHER_LISTER, IMPLEMENTER, SYSTEM):
        with pytest.raises(RoleNotAllowed):
            REDLIST_REMOVAL.apply(reported, "confirm_abuse", someone, {"reason": "属实"})
    with pytest.raises(InvalidInput, match="reason"):
        REDLIST_REMOVAL.apply(reported, "confirm_abuse", LISTER, {})


def test_a_removed_case_is_only_closed_and_a_closed_one_is_final():
    assert REDLIST_REMOVAL.available_actions(case("removed", "abuse"), LISTER) == []
    assert REDLIST_REMOVAL.apply(case("removed", "abuse"), "close", SYSTEM).target == "closed"
    with pytest.raises(ActionNotAllowed):
        REDLIST_REMOVAL.apply(case("closed", "abuse"), "remove", SYSTEM)


def test_each_trigger_has_its_exit_reason_and_only_an_error_is_purged():
    assert TRIGGERS["objection_revoked"] is None
    assert {t: r for t, r in TRIGGERS.items() if r is not None} == {
        "blacklisted": ExitReason.BLACKLISTED, "abuse": ExitReason.ABUSE, "broken_commitment": ExitReason.ABUSE,
        "expired": ExitReason.EXPIRED, "criteria_changed": ExitReason.CRITERIA_CHANGED}
    assert REPORTED == {"abuse"} and AUTOMATIC | REPORTED == set(TRIGGERS)


def test_only_a_department_finding_can_be_contested():
    assert CONTESTABLE == {"abuse", "broken_commitment", "criteria_changed"}
    assert not CONTESTABLE & {"blacklisted", "expired", "objection_revoked"}
