"""A verification the subject did not ask for (Z VII(3), Q V(6)): a department's own finding and anyone's
complaint open the objection process with its consequences; and any record that is kept can be disputed:
an exited entry, a broken commitment (their upheld objections correct or purge them)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from sla.calendar import day_end_exclusive
from workflows.automation.sweep import sweep
from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_KEY
from workflows.domain.errors import ActionNotAllowed, NotFound
from workflows.domain.lists import ExitReason
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment, LicenceMatter
from workflows.store.models import ListEntry

GROUNDS = "执行政府采购限制时发现该处罚决定已被撤销，记录可能有误。"


def statuses(world, entry_id):
    return world.query(lambda s: (lambda e: (e.status, sorted({m.status for m in e.measures})))(
        s.get(ListEntry, entry_id)))


def case_of(world, case_id):
    return world.query(lambda s: (lambda c: (c.state, (c.data or {}).get("origin"), sorted(
        (t.kind, t.status) for t in c.timers)))(s.get(Case, case_id)))


def kinds_to(world, username) -> list[tuple[str, object]]:
    return [(kind, params.get("result")) for kind, params in world.notices_to(f"{username}@example.gov.cn")]


def complaint(world, entry_id, username="redco", code=ENTERPRISE_BLACK):
    return world.file(username, origin="complaint", subject_code=code, list_entry_id=entry_id,
                      grounds="该企业已于上月补报年度报告，黑名单公示信息与实际不符。")


def test_a_department_finding_is_verified_at_once_with_the_measures_suspended(world, smtp):
    entry_id = world.entry_of("applicant")
    case_id = world.file("implementer", origin="department", list_entry_id=entry_id, grounds=GROUNDS)
    world.drain()
    # no formal review of a department's own finding: verification and its 20 working days start at once
    assert case_of(world, case_id) == ("verifying", "department", [("acceptance", "met"), ("verification", "pending")])
    assert statuses(world, entry_id) == ("suspended", ["suspended"])
    assert smtp.kinds("bank@example.gov.cn").count("measure.suspend") == 1
    assert ("verification.opened", None) in kinds_to(world, "applicant")  # the subject is told
    assert "objection.to_verify" in smtp.kinds("provider@example.gov.cn")
    assert "objection.to_review" not in smtp.kinds("office@example.gov.cn")
    assert world.query(lambda s: s.get(Case, case_id).department.code) == "SCJGJ"  # the provider verifies
    world.act(case_id, "confirm", "provider", reason="经核实，原处罚决定有效。")
    world.drain()
    assert statuses(world, entry_id) == ("active", ["active"])
    assert ("verification.result", "confirm") in kinds_to(world, "applicant")
    assert case_of(world, case_id)[0] == "closed"


def test_a_department_finding_upheld_revokes_the_listing(world, platform):
    entry_id = world.entry_of("applicant")
    case_id = world.file("provider", origin="department", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(case_id, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    assert world.query(lambda s: s.get(ListEntry, entry_id).status) == "purged"
    assert [r["result"] for r in platform.received] == ["revoke"]


def test_a_department_files_only_on_records_it_supplied_or_applies_a_measure_of(world):
    entry_id = world.entry_of("applicant")  # listed by market regulation; no housing measure attached
    with pytest.raises(NotFound):
        world.file("housing", origin="department", list_entry_id=entry_id, grounds=GROUNDS)
    with pytest.raises(Exception, match="department's staff"):
        world.file("redco", origin="department", list_entry_id=entry_id, grounds=GROUNDS)


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_a_complaint_is_reviewed_verified_and_the_complainant_told_the_outcome(world, smtp, platform):
    entry_id = world.entry_of("applicant")
    case_id = complaint(world, entry_id)
    world.drain()
    assert case_of(world, case_id)[:2] == ("submitted", "complaint")
    assert statuses(world, entry_id) == ("active", ["active"])  # nothing suspended before acceptance
    assert ("complaint.received", None) in kinds_to(world, "redco")
    assert "objection.to_review" in smtp.kinds("office@example.gov.cn")
    assert kinds_to(world, "applicant") == []  # the subject hears of it once it is verified
    world.act(case_id, "accept", "office")
    world.drain()
    assert statuses(world, entry_id) == ("suspended", ["suspended"])
    assert ("complaint.accepted", None) in kinds_to(world, "redco")
    assert ("verification.opened", None) in kinds_to(world, "applicant")
    with pytest.raises(ActionNotAllowed):  # accepted: the provider decides, the complainant cannot call it off
        world.act(case_id, "withdraw", "redco")
    world.act(case_id, "correct", "provider", correction="公示的处罚依据有误，已更正并终止惩戒措施", measures="stop")
    world.drain()
    assert statuses(world, entry_id) == ("exited", ["stopped"])
    assert world.query(lambda s: s.get(ListEntry, entry_id).exit_reason) == ExitReason.OBJECTION_UPHELD.value
    assert ("complaint.result", "correct") in kinds_to(world, "redco")
    assert ("verification.result", "correct") in kinds_to(world, "applicant")
    assert "objection.result" not in [k for k, _ in kinds_to(world, "redco")]
    assert [r["result"] for r in platform.received] == ["correct"]


def test_a_complaint_confirmed_or_refused_leaves_the_record_in_force(world, smtp):
    entry_id = world.entry_of("applicant")
    refused = complaint(world, entry_id)
    world.act(refused, "refuse", "office", reason="投诉未说明记录有误的具体情形。")
    world.drain()
    assert ("complaint.result", "refuse") in kinds_to(world, "redco")
    assert kinds_to(world, "applicant") == []
    confirmed = complaint(world, entry_id)
    world.act(confirmed, "accept", "office")
    world.act(confirmed, "confirm", "provider", reason="经核实，公示信息准确。")
    world.drain()
    assert statuses(world, entry_id) == ("active", ["active"])
    assert ("complaint.result", "confirm") in kinds_to(world, "redco")


def test_a_complaint_before_acceptance_may_be_withdrawn_or_supplemented_by_the_complainant(world, smtp):
    entry_id = world.entry_of("applicant")
    case_id = complaint(world, entry_id)
    world.act(case_id, "request_supplement", "office", reason="请上传年度报告的补报回执。")
    world.drain()
    assert ("complaint.supplement", None) in kinds_to(world, "redco")
    with pytest.raises(Exception, match="may be taken only by"):  # the subject does not answer for the complainant
        world.act(case_id, "supplement", "applicant", note="无")
    world.act(case_id, "supplement", "redco", note="已上传回执。")
    world.act(case_id, "withdraw", "redco")
    assert case_of(world, case_id)[0] == "withdrawn"


def test_a_complaint_names_only_what_the_public_lists_show(world):
    """A key-attention entry, another subject's entry and an unknown one are refused alike: nothing is revealed."""
    key_entry = world.query(lambda s: s.scalar(select(ListEntry.id).where(ListEntry.list_kind == "key_attention")))
    black = world.entry_of("applicant")
    refusals = []
    for entry_id, code in ((key_entry, ENTERPRISE_KEY), (black, ENTERPRISE_KEY), (999999, ENTERPRISE_KEY)):
        with pytest.raises(NotFound) as refused:
            complaint(world, entry_id, code=code)
        refusals.append(refused.value.message)
    assert len(set(refusals)) == 1
    with pytest.raises(Exception, match="your own subject"):
        complaint(world, black, username="applicant")


def exit_onto_key_attention(world, entry_id):
    """The blacklist entry's validity ends: it exits (kept in the back end) onto the key-attention list."""
    from workflows.services.lists import list_lifecycle

    def expire(session):
        entry = session.get(ListEntry, entry_id)
        now = day_end_exclusive(entry.valid_until)
        event = list_lifecycle.emit(session, "expire", now, list_entry_id=entry_id)
        list_lifecycle.exit_blacklist(session, event, entry, ExitReason.EXPIRED,
                                      list_lifecycle.default_key_attention_until(session, now), now)

    world.query(expire)
    world.drain()
    return world.query(lambda s: s.scalar(select(ListEntry.id).where(ListEntry.derived_from_id == entry_id)))


def test_an_exited_entry_kept_can_be_objected_to_and_revoked(world, smtp):
    entry_id = world.entry_of("applicant")
    key_id = exit_onto_key_attention(world, entry_id)
    assert statuses(world, key_id) == ("active", ["active"])
    case_id = world.file("applicant", list_entry_id=entry_id, grounds="列入黑名单所依据的处罚决定已被撤销。")
    world.act(case_id, "accept", "office")
    world.drain()
    # the exited record stays exited; what followed from it is not executed while it is verified
    assert statuses(world, entry_id)[0] == "exited"
    assert statuses(world, key_id) == ("suspended", ["suspended"])
    assert ("objection.accepted.record", None) in kinds_to(world, "applicant")
    world.act(case_id, "revoke", "provider", reason="处罚决定已被撤销，黑名单认定有误。")
    world.drain()
    assert world.query(lambda s: [s.get(ListEntry, i).status for i in (entry_id, key_id)]) == ["purged", "purged"]
    assert ("objection.result", "revoke") in kinds_to(world, "applicant")


def test_an_exited_entry_corrected_ends_what_followed_or_confirmed_resumes_it(world):
    entry_id = world.entry_of("applicant")
    key_id = exit_onto_key_attention(world, entry_id)
    first = world.file("applicant", list_entry_id=entry_id, grounds="黑名单记载的文号有误，应予更正。")
    world.act(first, "accept", "office")
    world.act(first, "confirm", "provider", reason="经核实，记录无误。")
    world.drain()
    assert statuses(world, key_id) == ("active", ["active"])
    second = world.file("applicant", list_entry_id=entry_id, grounds="列入依据已不成立，后续重点关注也应终止。")
    world.act(second, "accept", "office")
    world.act(second, "correct", "provider", correction="认定依据更正", document_no="珠市监信〔2026〕12-1号",
              measures="stop")
    world.drain()
    assert world.query(lambda s: s.get(ListEntry, entry_id).document_no) == "珠市监信〔2026〕12-1号"
    assert statuses(world, key_id) == ("exited", ["stopped"])
    assert world.query(lambda s: s.get(ListEntry, key_id).exit_reason) == ExitReason.OBJECTION_UPHELD.value


def broken_commitment(world) -> int:
    """redco's green-channel commitment broken: a broken-commitment record, its red-list entry removed."""
    missing = world.query(lambda s: [m.id for m in s.scalar(select(LicenceMatter).where(
        LicenceMatter.code == "FOOD-BIZ")).materials if not m.core][:1])
    green = world.file("redco", "conditional_acceptance", matter="FOOD-BIZ", missing=missing, signed=True,
                       signatory="王守信")
    world.act(green, "accept_with_commitment", "licensing", days_3=3)
    world.drain()
    due = world.query(lambda s: next(t.due_on for t in s.get(Case, green).timers if t.kind == "materials"))
    world.query(lambda s: sweep(s, now=day_end_exclusive(due) + timedelta(hours=1)))
    world.drain()
    return world.query(lambda s: s.scalar(select(BrokenCommitment.id)))


def test_a_broken_commitment_revoked_on_objection_restores_the_red_list_entry_it_removed(world, smtp):
    red_id = world.entry_of("redco")
    record_id = broken_commitment(world)
    assert statuses(world, red_id) == ("exited", ["stopped"])  # the broken commitment removed it from the red list
    objection = world.file("redco", broken_commitment_id=record_id, grounds="材料已按时提交，系窗口逾期审核后退回。")
    world.act(objection, "accept", "office")
    world.act(objection, "revoke", "provider", reason="经核查，申请人已按时提交材料。")
    world.drain()
    assert world.query(lambda s: s.get(BrokenCommitment, record_id).status) == "revoked"
    assert statuses(world, red_id) == ("active", ["active"])


def test_an_exited_entry_under_verification_does_not_count_against_the_green_channel(world):
    from workflows.services.processes.eligibility import credit_facts
    from workflows.store.models import User

    entry_id = world.entry_of("applicant")
    exit_onto_key_attention(world, entry_id)

    def black_records(session):
        subject_id = session.scalar(select(User.subject_id).where(User.username == "applicant"))
        return [r.source for r in credit_facts(session, subject_id).records if r.source == "black"]

    assert world.query(black_records) == ["black"]  # the exited blacklist record still counts: it is kept
    case_id = world.file("applicant", list_entry_id=entry_id, grounds="列入黑名单所依据的处罚决定已被撤销。")
    world.act(case_id, "accept", "office")
    assert world.query(black_records) == []


def test_the_department_that_recorded_a_broken_commitment_reports_its_own_finding(world, smtp):
    record_id = broken_commitment(world)
    with pytest.raises(NotFound):  # recorded by another department's window
        world.file("housing", origin="department", broken_commitment_id=record_id, grounds=GROUNDS)
    case_id = world.file("licensing", origin="department", broken_commitment_id=record_id,
                         grounds="复查发现材料系按时提交，窗口逾期审核后退回，不应认定违诺。")
    world.drain()
    assert case_of(world, case_id)[0] == "verifying"
    assert world.query(lambda s: s.get(BrokenCommitment, record_id).status) == "suspended"
    assert ("verification.opened", None) in kinds_to(world, "redco")
    world.act(case_id, "correct", "provider", correction="不认定为未履行承诺", measures="stop")
    world.drain()
    assert world.query(lambda s: s.get(BrokenCommitment, record_id).status) == "revoked"
    assert statuses(world, world.entry_of("redco")) == ("active", ["active"])
    assert ("verification.result", "correct") in kinds_to(world, "redco")
