"""Every trigger of red-list removal, its consequences carried out by the real flows, and an objection
against a removal both ways."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows import clock
from workflows.demo import ENTERPRISE_RED, ENTERPRISE_RED_2
from workflows.domain.errors import Conflict
from workflows.services.casework.evidence import Upload
from workflows.services.lists import listings
from workflows.services.processes import redlist_removal as removal
from workflows.services.processes import removal_rules
from workflows.store.automation import Announcement, Notification
from workflows.store.cases import Case
from workflows.store.green import PendingRedlistRemoval
from workflows.store.models import ListEntry, Subject

PDF = b"%PDF-1.4\n% abuse evidence\n"
GROUNDS = "该企业并未转让政府采购优先资格，举报所称情况不属实。"
RED_DEPARTMENTS = ("licensing@example.gov.cn", "implementer@example.gov.cn")  # I-GREEN, I-INSPECT / I-PROC


def red_entry(world, code=ENTERPRISE_RED) -> int:
    return world.query(lambda s: s.scalar(select(ListEntry.id).join(Subject).where(
        Subject.code == code, ListEntry.list_kind == "red")))


def statuses(world, entry_id):
    def read(session):
        entry = session.get(ListEntry, entry_id)
        return entry.status, entry.exit_reason, sorted({m.status for m in entry.measures})

    return world.query(read)


def removal_of(world, entry_id) -> tuple[int, str, str]:
    case = world.query(lambda s: s.scalars(select(Case).where(Case.process == "redlist_removal",
                                                              Case.list_entry_id == entry_id)
                                           .order_by(Case.id.desc())).first())
    return case.id, case.state, case.data["trigger"]


def announcements(world) -> list[tuple[str, str]]:
    return world.query(lambda s: [(a.kind, a.title) for a in s.scalars(select(Announcement).order_by(Announcement.id))])


def results(platform) -> list[tuple[str, str]]:
    return [(r["process"], r["result"]) for r in platform.received]


def blacklist(world, code=ENTERPRISE_RED, kind="black"):
    def run(session):
        request = listings.ListingRequest(code, "泉州守信制造有限公司", kind, "FY", "拒不履行生效判决（失信被执行人）",
                                          "（2026）闽05执88号", clock.today(), clock.today() + timedelta(days=730),
                                          ["P-PROC"], "court_enforcement", "信用中国（泉州）网站")
        listings.record_listing(session, request, world.actor("court"))
        red = session.scalar(select(ListEntry).join(Subject).where(Subject.code == code, ListEntry.list_kind == "red"))
        return red.status, red.exit_reason, sorted({m.status for m in red.measures})  # in the listing's transaction

    return world.query(run)


def outcomes_told(world) -> list[tuple[str, str]]:
    """What the reporting department (the implementer) was told of its abuse report."""
    return [(kind, params.get("outcome")) for kind, params in world.notices_to("implementer@example.gov.cn")]


def assert_removed_and_told(world, smtp, platform, entry_id, reason, trigger):
    assert statuses(world, entry_id) == ("exited", reason, ["stopped"])
    case_id, state, recorded = removal_of(world, entry_id)
    assert (state, recorded) == ("closed", trigger)
    for department in RED_DEPARTMENTS:
        assert "incentive.stop" in smtp.kinds(department), department
    assert {"redlist.removed", "redlist.removed.contestable"} & set(smtp.kinds("redco@example.gov.cn"))
    assert ("exit", "红名单退出公告（泉州守信制造有限公司）") in announcements(world)
    assert ("redlist_removal", "remove" if trigger != "abuse" else "confirm_abuse") in results(platform)
    return case_id


def test_blacklisting_removes_the_red_entry_in_the_listing_transaction(world, smtp, platform):
    entry_id = red_entry(world)
    assert blacklist(world) == ("exited", "blacklisted", ["stopped"])  # before any flow ran
    world.drain()
    assert_removed_and_told(world, smtp, platform, entry_id, "blacklisted", "blacklisted")


def test_key_attention_listing_removes_the_red_entry_too(world):
    sqlite_only(world)
    assert blacklist(world, kind="key_attention") == ("exited", "blacklisted", ["stopped"])


def report_abuse(world, entry_id, username="implementer"):
    def run(session):
        entry = session.get(ListEntry, entry_id)
        case = removal.open_removal(session, entry, "abuse", actor=world.actor(username),
                                    reason="该企业将政府采购优先资格转借他人使用。", evidence=[Upload("举报材料.pdf", PDF)],
                                    upload_dir=world.config.upload_dir)
        return case.id

    return world.query(run)


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_abuse_confirmed_by_the_listing_department_removes_the_entry(world, smtp, platform):
    entry_id = red_entry(world)
    case_id = report_abuse(world, entry_id)
    world.drain()
    assert removal_of(world, entry_id)[1] == "reported"
    assert "redlist.abuse_to_decide" in smtp.kinds("tax@example.gov.cn")
    assert statuses(world, entry_id) == ("active", None, ["active"])
    world.act(case_id, "confirm_abuse", "tax", reason="经核查，举报属实。")
    assert statuses(world, entry_id) == ("exited", "abuse", ["stopped"])  # in the decision's transaction
    world.drain()
    assert_removed_and_told(world, smtp, platform, entry_id, "abuse", "abuse")
    assert ("redlist.abuse_report", "confirm_abuse") in outcomes_told(world)


def test_abuse_dismissed_keeps_the_entry_and_its_incentives(world, smtp, platform):
    sqlite_only(world)
    entry_id = red_entry(world)
    case_id = report_abuse(world, entry_id)
    world.act(case_id, "dismiss", "tax", reason="举报事项查无实据。")
    world.drain()
    assert statuses(world, entry_id) == ("active", None, ["active"])
    assert removal_of(world, entry_id)[1] == "dismissed"
    assert ("redlist.abuse_report", "dismiss") in outcomes_told(world)
    assert announcements(world) == [] and results(platform) == []


@pytest.mark.prefect  # the real flows under Prefect's test harness
@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_validity_end_exits_the_entry_by_timer(world, smtp, platform):
    from workflows.automation.sweep import sweep
    from workflows.store.base import utcnow

    entry_id = red_entry(world, ENTERPRISE_RED_2)
    valid_until = world.query(lambda s: s.get(ListEntry, entry_id).valid_until)
    later = utcnow() + timedelta(days=(valid_until - clock.today()).days + 2)
    assert world.query(lambda s: sweep(s, now=later)) >= 1
    world.drain()
    assert statuses(world, entry_id) == ("exited", "expired", ["stopped"])
    case_id, state, trigger = removal_of(world, entry_id)
    assert (state, trigger) == ("closed", "expired")
    assert "incentive.stop" in smtp.kinds("bank@example.gov.cn")  # I-FIN
    assert ("exit", "红名单退出公告（珠海诚信建设工程有限公司）") in announcements(world)
    assert ("redlist_removal", "remove") in results(platform)


def test_criteria_change_removes_the_confirmed_entries_in_bulk(world, smtp, platform):
    entry_id = red_entry(world)
    assert len(reevaluate(world, entry_id)) == 1
    world.drain()
    assert_removed_and_told(world, smtp, platform, entry_id, "criteria_changed", "criteria_changed")


def test_objection_that_revokes_a_red_listing_removes_it_with_purge(world, smtp, platform):
    entry_id = red_entry(world)
    objection = world.file("redco", list_entry_id=entry_id, grounds="该红名单认定所依据的纳税信用评价有误。")
    world.act(objection, "accept", "office")
    world.drain()
    assert statuses(world, entry_id) == ("suspended", None, ["suspended"])
    world.act(objection, "revoke", "tax", reason="纳税信用等级评定有误，不符合红名单条件。")
    world.drain()
    entry = world.query(lambda s: (lambda e: (e.status, e.subject_id, e.basis, e.document_no,
                                              sorted({m.status for m in e.measures})))(s.get(ListEntry, entry_id)))
    assert entry == ("purged", None, "", "", ["stopped"])
    removal_id, state, trigger = removal_of(world, entry_id)
    assert (state, trigger) == ("closed", "***")  # the case's texts erased with the entry's personal data
    kept = world.query(lambda s: [n.subject + n.body for n in s.scalars(select(Notification).where(
        Notification.case_id == removal_id))])
    assert kept and not any("泉州守信制造有限公司" in text for text in kept)  # the notices sent, as kept, erased too
    assert [k for k, _ in announcements(world)] == ["correction"]
    assert {("objection", "revoke"), ("redlist_removal", "remove")} <= set(results(platform))
    for department in RED_DEPARTMENTS:
        assert "incentive.stop" in smtp.kinds(department), department


def test_a_broken_green_channel_commitment_waiting_for_removal_is_taken_up(world, smtp, platform):
    from workflows.services.processes.green_records import queue_redlist_removal

    entry_id = red_entry(world)

    def run(session):
        entry = session.get(ListEntry, entry_id)
        green = Case.opened("conditional_acceptance", "commitment_breached", subject_id=entry.subject_id,
                            department_id=entry.department_id)
        session.add(green)
        session.flush()
        return [r.id for r in queue_redlist_removal(session, green, removal_rules.SYSTEM)]

    rows = world.query(run)
    assert statuses(world, entry_id) == ("exited", "abuse", ["stopped"])
    world.drain()
    case_id = assert_removed_and_told(world, smtp, platform, entry_id, "abuse", "broken_commitment")
    consumed = world.query(lambda s: [(r.consumed_at is not None, r.consumed_by_case_id)
                                      for r in s.scalars(select(PendingRedlistRemoval))])
    assert len(rows) == 1 and consumed == [(True, case_id)]


# --- an objection against a removal ---


def reevaluate(world, entry_id):
    rule = removal.Reevaluation("纳税信用A级认定标准调整为连续三年A级。", category="tax_credit")
    return world.query(lambda s: [c.id for c in removal.confirm_reevaluation(s, world.actor("tax"), rule, [entry_id])])


def contested(world, smtp):
    entry_id = red_entry(world)
    reevaluate(world, entry_id)
    objection = world.file("redco", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(objection, "accept", "office")
    world.drain()
    return entry_id, objection


def sqlite_only(world):
    if not world.config.database_url.startswith("sqlite"):
        pytest.skip("database-independent: shown on SQLite, the flow tests above run on both")


def assert_in_force(world, smtp, entry_id):
    """While the objection is verified, the withdrawal is suspended: the entry and its incentives are in force."""
    assert statuses(world, entry_id) == ("active", None, ["active"])
    assert "redlist.objection_accepted" in smtp.kinds("redco@example.gov.cn")
    assert "measure.restore" in smtp.kinds("implementer@example.gov.cn")


def test_confirm_completes_the_removal(world, smtp, platform):
    entry_id, objection = contested(world, smtp)
    assert_in_force(world, smtp, entry_id)
    world.act(objection, "confirm", "tax", reason="举报属实，移出决定正确。")
    world.drain()
    assert statuses(world, entry_id) == ("exited", "criteria_changed", ["stopped"])
    assert world.query(lambda s: s.get(Case, objection).state) == "closed"
    history = world.query(lambda s: [h.action for h in removal_rules.history_of(s, removal_of(world, entry_id)[0])])
    assert history[-2:] == ["removal_contested", "removal_upheld"]


def test_revoke_restores_the_entry_and_its_incentives(world, smtp, platform):
    entry_id, objection = contested(world, smtp)
    assert_in_force(world, smtp, entry_id)
    world.act(objection, "revoke", "tax", reason="举报所称情况不属实，移出决定有误。")
    world.drain()
    assert statuses(world, entry_id) == ("active", None, ["active"])
    assert ("correction", "红名单恢复公告（泉州守信制造有限公司）") in announcements(world)
    assert ("objection", "revoke") in results(platform)
    history = world.query(lambda s: [h.action for h in removal_rules.history_of(s, removal_of(world, entry_id)[0])])
    assert history[-1] == "removal_reversed"


def test_withdrawing_the_objection_against_a_removal_completes_it(world, smtp):
    sqlite_only(world)
    entry_id, objection = contested(world, smtp)
    world.act(objection, "withdraw", "redco")
    world.drain()
    assert statuses(world, entry_id) == ("exited", "criteria_changed", ["stopped"])


def test_a_removal_by_blacklisting_cannot_be_contested(world):
    sqlite_only(world)
    entry_id = red_entry(world)
    blacklist(world)
    with pytest.raises(Conflict, match="object to that listing instead"):
        world.file("redco", list_entry_id=entry_id, grounds=GROUNDS)


# --- a wrong blacklisting undone; a restored entry keeps its validity ---


def validity_timers(world, entry_id):
    from workflows.store.cases import Timer

    return world.query(lambda s: sorted((t.due_on, t.status) for t in s.scalars(
        select(Timer).where(Timer.list_entry_id == entry_id, Timer.case_id.is_(None)))))


def test_revoking_a_wrong_blacklisting_restores_the_red_entry_it_removed(world, smtp, platform):
    entry_id = red_entry(world)
    assert blacklist(world) == ("exited", "blacklisted", ["stopped"])
    black_id = world.query(lambda s: s.scalar(select(ListEntry.id).join(Subject).where(
        Subject.code == ENTERPRISE_RED, ListEntry.list_kind == "black")))
    world.drain()
    objection = world.file("redco", list_entry_id=black_id, grounds="本企业不是该案被执行人，系信息归集错误。")
    world.act(objection, "accept", "office")
    world.drain()
    world.act(objection, "revoke", "court", reason="经核实，被执行人信息归集错误。")
    world.drain()
    assert world.query(lambda s: s.get(ListEntry, black_id).status) == "purged"
    assert statuses(world, entry_id) == ("active", None, ["active"])  # the red entry and its incentives are back
    until = world.query(lambda s: s.get(ListEntry, entry_id).valid_until)
    assert (until, "pending") in validity_timers(world, entry_id)
    assert ("correction", "红名单恢复公告（泉州守信制造有限公司）") in announcements(world)
    assert "measure.restore" in smtp.kinds("implementer@example.gov.cn")


def test_a_restored_entry_keeps_its_validity_timer(world, smtp):
    entry_id, objection = contested(world, smtp)
    world.act(objection, "revoke", "tax", reason="举报所称情况不属实，移出决定有误。")
    world.drain()
    until = world.query(lambda s: s.get(ListEntry, entry_id).valid_until)
    assert [t for t in validity_timers(world, entry_id) if t[1] == "pending"] == [(until, "pending")]


def test_a_restored_entry_whose_validity_ended_exits_at_once(world, smtp, travel):
    from sla.calendar import day_end_exclusive

    entry_id, objection = contested(world, smtp)
    until = world.query(lambda s: s.get(ListEntry, entry_id).valid_until)
    travel(day_end_exclusive(until) + timedelta(days=1))
    world.act(objection, "revoke", "tax", reason="举报所称情况不属实，移出决定有误。")
    world.drain()
    assert statuses(world, entry_id) == ("exited", "expired", ["stopped"])
    assert removal_of(world, entry_id)[1:] == ("closed", "expired")
