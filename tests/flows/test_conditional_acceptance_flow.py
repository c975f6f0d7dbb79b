"""The green channel (容缺受理) under the real flow: on-time completion with grant and publication, breach,
extension, refusal; a broken commitment makes the subject ineligible next time."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sla.calendar import day_end_exclusive
from workflows.automation.sweep import sweep
from workflows.domain.eligibility import NotEligible
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment, LicenceMatter, LicencePublication, PendingRedlistRemoval
from workflows.store.models import HistoryEntry, ListEntry, User

MATTER = "FOOD-BIZ"


def deferrable_ids(world, matter=MATTER):
    return world.query(lambda s: [m.id for m in s.scalar(select(LicenceMatter).where(LicenceMatter.code == matter))
                                  .materials if not m.core])


def file_green(world, missing=None, username="redco"):
    missing = missing if missing is not None else deferrable_ids(world)[:1]
    return world.file(username, "conditional_acceptance", matter=MATTER, missing=missing, signed=True,
                      signatory="王守信")


def state(world, case_id):
    return world.query(lambda s: s.get(Case, case_id).state)


def timers(world, case_id):
    return world.query(lambda s: {t.kind: (t.status, t.due_on) for t in s.get(Case, case_id).timers})


def accepted(world, **days):
    case_id = file_green(world)
    world.act(case_id, "accept_with_commitment", "licensing", **days)
    world.drain()
    return case_id


def results_told(world) -> list[tuple[str, str]]:
    return [(kind, params.get("result")) for kind, params in world.notices_to("redco@example.gov.cn")]


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_on_time_completion_is_granted_and_published(world, smtp, platform):
    case_id = accepted(world, days_3=5)
    assert state(world, case_id) == "awaiting_materials"
    assert {k: v[0] for k, v in timers(world, case_id).items()} == {
        "acceptance": "met", "materials": "pending", "processing": "pending"}
    assert "green.notice" in smtp.kinds("redco@example.gov.cn")
    world.act(case_id, "submit_materials", "redco", files=["平面图.pdf"], item=3, note="平面图已补交")
    world.act(case_id, "verify_materials", "licensing", item=3, result="verified")
    assert state(world, case_id) == "materials_complete"  # moved on in the verification's own transaction
    assert timers(world, case_id)["materials"][0] == "met"
    world.drain()
    world.act(case_id, "grant", "licensing", licence_no="JY14404000012345")
    world.drain()
    assert state(world, case_id) == "published"
    assert {k: v[0] for k, v in timers(world, case_id).items()} == {
        "acceptance": "met", "materials": "met", "processing": "met", "publication": "met"}
    published = world.query(lambda s: [(p.holder_name, p.licence_no, p.matter_name)
                                       for p in s.scalars(select(LicencePublication))])
    assert published == [("泉州守信制造有限公司", "JY14404000012345", "食品经营许可")]
    assert "green.granted" in smtp.kinds("redco@example.gov.cn")
    assert [r["result"] for r in platform.received] == ["publish"]


@pytest.mark.prefect  # the real flows under Prefect's test harness
@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_a_missed_deadline_breaks_the_commitment_and_the_subject_is_ineligible_next_time(world, smtp):
    case_id = accepted(world, days_3=3)
    red_entry = world.query(lambda s: s.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                                               .where(User.username == "redco", ListEntry.list_kind == "red")))
    later = day_end_exclusive(timers(world, case_id)["materials"][1]) + timedelta(hours=1)
    assert world.query(lambda s: sweep(s, now=later)) >= 1
    world.drain()
    assert state(world, case_id) == "commitment_breached"
    assert timers(world, case_id)["materials"][0] == "breached"
    record = world.query(lambda s: [(b.case_id, b.matter_name, b.missed) for b in s.scalars(select(BrokenCommitment))])
    assert record == [(case_id, "食品经营许可", "食品经营场所和设备布局、操作流程平面图")]
    queued = world.query(lambda s: [(q.list_entry_id, q.reason) for q in s.scalars(select(PendingRedlistRemoval))])
    assert queued == [(red_entry, "broken_commitment")]
    # the red-list removal process takes the queued entry up
    removals = world.query(lambda s: s.scalars(select(Case.data).where(Case.process == "redlist_removal",
                                                                       Case.list_entry_id == red_entry)).all())
    assert [d["trigger"] for d in removals] == ["broken_commitment"]
    assert "green.breach" in smtp.kinds("redco@example.gov.cn")
    assert "green.breach" in smtp.kinds("supervisor@example.gov.cn")
    assert "green.redlist_pending" in smtp.kinds("tax@example.gov.cn")  # the red list's department
    # materials after the breach: refused, nothing changed
    with pytest.raises(Exception) as error:
        world.act(case_id, "submit_materials", "redco", files=["平面图.pdf"], item=3)
    assert "not possible while the case is commitment_breached" in str(error.value)
    # the next application is refused, with the reason
    with pytest.raises(NotEligible) as refusal:
        file_green(world)
    assert "broke a written commitment on" in refusal.value.message
    assert "apply through the ordinary procedure" in refusal.value.message
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Case)
                                          .where(Case.process == "conditional_acceptance"))) == 1
    # a second sweep does not break the commitment twice
    world.query(lambda s: sweep(s, now=later + timedelta(days=30)))
    world.drain()
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(BrokenCommitment))) == 1


def test_one_extension_moves_the_deadline_and_a_second_is_refused(world, smtp):
    case_id = accepted(world, days_3=3)
    first_due = timers(world, case_id)["materials"][1]
    world.act(case_id, "extend", "licensing", days=4, reason="台风停工，申请人无法取得图纸")
    world.drain()
    new_due = timers(world, case_id)["materials"][1]
    assert new_due > first_due
    assert "green.extended" in smtp.kinds("redco@example.gov.cn")
    with pytest.raises(Exception, match="only one extension is allowed"):
        world.act(case_id, "extend", "licensing", days=1, reason="再次延期")
    # the original deadline passes without a breach: the extension holds
    world.query(lambda s: sweep(s, now=day_end_exclusive(first_due) + timedelta(hours=1)))
    world.drain()
    assert state(world, case_id) == "awaiting_materials"
    extensions = world.query(lambda s: s.scalar(select(func.count()).select_from(HistoryEntry)
                                                .where(HistoryEntry.case_id == case_id, HistoryEntry.action == "extend")))
    assert extensions == 1


def test_refusal_at_the_window_ends_the_case_and_tells_the_applicant(world, smtp, platform):
    case_id = file_green(world)
    world.act(case_id, "refuse", "licensing", reason="申请事项不属于本部门")
    world.drain()
    assert state(world, case_id) == "refused"
    assert ("green.result", "refuse") in results_told(world)
    assert [r["result"] for r in platform.received] == ["refuse"]
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(BrokenCommitment))) == 0


def test_licence_refused_after_the_materials(world, smtp):
    case_id = accepted(world)
    world.act(case_id, "submit_materials", "redco", files=["平面图.pdf"], item=3)
    world.act(case_id, "verify_materials", "licensing", item=3, result="rejected", reason="图纸未盖章")
    assert state(world, case_id) == "awaiting_materials"
    world.act(case_id, "submit_materials", "redco", files=["平面图.pdf"], item=3)
    world.act(case_id, "verify_materials", "licensing", item=3, result="verified")
    world.act(case_id, "refuse_licence", "licensing", reason="现场核查不符合条件")
    world.drain()
    assert state(world, case_id) == "licence_refused"
    assert "green.material_rejected" in smtp.kinds("redco@example.gov.cn")
    assert ("green.result", "refuse_licence") in results_told(world)
    assert {k: v[0] for k, v in timers(world, case_id).items()}["processing"] == "met"


def test_a_late_publication_is_escalated_to_supervisors(world, smtp):
    case_id = accepted(world)
    world.act(case_id, "submit_materials", "redco", files=["平面图.pdf"], item=3)
    world.act(case_id, "verify_materials", "licensing", item=3, result="verified")
    world.act(case_id, "grant", "licensing", licence_no="JY14404000077777")
    # the worker was down for weeks: the publication deadline passed before the grant could be published
    published_by = timers(world, case_id)["publication"][1]
    assert world.query(lambda s: sweep(s, now=day_end_exclusive(published_by) + timedelta(days=20))) >= 1
    world.drain()
    assert timers(world, case_id)["publication"][0] == "breached"
    assert ("deadline.breached.supervise", case_id) in [
        (kind, params.get("case")) for kind, params in world.notices_to("supervisor@example.gov.cn")]
    assert state(world, case_id) == "published"  # published late, but published


def test_a_material_handed_in_on_time_and_rejected_late_is_no_breach_until_the_resubmission_period_ends(
        world, smtp, travel):
    """The office's late verification never counts against the applicant: a material handed in before its
    deadline and rejected after it gets the resubmission period (green.resubmission_days) from the rejection."""
    from sla import calendar
    from workflows import clock

    case_id = accepted(world, days_3=3)
    due = timers(world, case_id)["materials"][1]
    world.act(case_id, "submit_materials", "redco", files=["平面图.pdf"], item=3)  # on time
    travel(day_end_exclusive(due) + timedelta(days=5))  # the window verifies late, and rejects
    world.act(case_id, "verify_materials", "licensing", item=3, result="rejected", reason="图纸未盖章")
    world.query(lambda s: sweep(s, now=clock.now()))
    world.drain()
    assert state(world, case_id) == "awaiting_materials"
    resubmit_by = timers(world, case_id)["materials"][1]
    assert resubmit_by == calendar.add_working_days(clock.today(), 5)
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(BrokenCommitment))) == 0
    # not handed in again within the period: that is a breach
    world.query(lambda s: sweep(s, now=day_end_exclusive(resubmit_by) + timedelta(hours=1)))
    world.drain()
    assert state(world, case_id) == "commitment_breached"


def test_the_applicant_withdraws_before_acceptance_or_before_a_breach_but_not_after_one(world, smtp, travel):
    before_acceptance = file_green(world)
    world.act(before_acceptance, "withdraw", "redco")
    world.drain()
    assert state(world, before_acceptance) == "withdrawn"
    assert ("green.result", "withdraw") in results_told(world)
    with pytest.raises(Exception, match="may be taken only by"):
        world.act(accepted(world), "withdraw", "licensing")
    case_id = world.query(lambda s: s.scalar(select(func.max(Case.id))))
    due = timers(world, case_id)["materials"][1]
    travel(day_end_exclusive(due) + timedelta(hours=2))  # the deadline passed: the sweep has not run yet
    with pytest.raises(Exception, match="deadline has passed"):
        world.act(case_id, "withdraw", "redco")
    assert state(world, case_id) == "awaiting_materials"
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(BrokenCommitment))) == 0


def test_eligibility_is_checked_again_when_the_window_accepts(world):
    """应查必查 (Q V(3)): a subject blacklisted after it filed is refused at acceptance, with the reason."""
    from workflows import clock
    from workflows.demo import ENTERPRISE_RED
    from workflows.services.lists import listings

    case_id = file_green(world)
    world.query(lambda s: listings.record_listing(s, listings.ListingRequest(
        ENTERPRISE_RED, "泉州守信制造有限公司", "black", "SWJ", "欠缴税款拒不缴纳", "泉税〔2026〕99号", clock.today(),
        clock.today() + timedelta(days=730), ["P-PROC"]), world.actor("tax")))
    with pytest.raises(NotEligible) as refusal:
        world.act(case_id, "accept_with_commitment", "licensing")
    assert "on the blacklist" in refusal.value.message
    assert state(world, case_id) == "submitted"


def test_a_broken_commitment_is_in_the_subject_api_and_can_be_objected_to_and_revoked(world, smtp):
    """Any record that is kept can be disputed: while the objection is verified the broken commitment does not
    count, and once upheld it no longer does; the subject reads it in the API, not only on its page."""
    from workflows.demo import ENTERPRISE_RED

    case_id = accepted(world, days_3=3)
    due = timers(world, case_id)["materials"][1]
    world.query(lambda s: sweep(s, now=day_end_exclusive(due) + timedelta(hours=1)))
    world.drain()
    assert state(world, case_id) == "commitment_breached"
    client = world.app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "redco", "password": "demo-pass-2026"}).json["token"]
    own = client.get(f"/api/v1/subjects/{ENTERPRISE_RED}", headers={"Authorization": f"Bearer {token}"}).json
    assert [(b["matter"], b["status"]) for b in own["broken_commitments"]] == [("食品经营许可", "active")]
    record_id = own["broken_commitments"][0]["id"]
    outsider = client.post("/api/v1/auth/token", json={"username": "person", "password": "demo-pass-2026"}).json
    seen = client.get(f"/api/v1/subjects/{ENTERPRISE_RED}", headers={"Authorization": f"Bearer {outsider['token']}"})
    assert "broken_commitments" not in seen.json  # in the credit file, not on a public list

    objection = world.file("redco", "objection", broken_commitment_id=record_id,
                           grounds="材料已按时提交，系窗口逾期审核后退回，不应认定为未履行承诺。")
    world.act(objection, "accept", "office")
    world.drain()
    assert world.query(lambda s: s.get(BrokenCommitment, record_id).status) == "suspended"
    from workflows.services.processes.eligibility import eligibility_of
    assert world.query(lambda s: "broken_commitment" not in [
        r.code for r in eligibility_of(s, s.get(BrokenCommitment, record_id).subject_id).reasons])
    world.act(objection, "revoke", "provider", reason="经核查，申请人已按时提交材料")
    world.drain()
    assert world.query(lambda s: s.get(BrokenCommitment, record_id).status) == "revoked"
    own = client.get(f"/api/v1/subjects/{ENTERPRISE_RED}", headers={"Authorization": f"Bearer {token}"}).json
    assert [b["status"] for b in own["broken_commitments"]] == ["revoked"]
    assert ("objection.result", "revoke") in results_told(world)
