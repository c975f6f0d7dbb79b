"""Every branch of the objection process, its consequences carried out by the real flow."""
import re

import pytest
from sqlalchemy import func, select

from workflows.store.automation import Announcement, Notification, OutboxEvent, PlatformDelivery
from workflows.store.cases import Case
from workflows.store.models import ListEntry, Measure

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"


def statuses(world, entry_id):
    def read(session):
        entry = session.get(ListEntry, entry_id)
        return entry.status, sorted({m.status for m in entry.measures})

    return world.query(read)


def case_state(world, case_id):
    return world.query(lambda s: s.get(Case, case_id).state)


def accepted_objection(world):
    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.drain()
    return entry_id, case_id


def results_told(world) -> list[tuple[str, str]]:
    return [(kind, params.get("result")) for kind, params in world.notices_to("applicant@example.gov.cn")]


def test_accept_suspends_entry_and_measures_and_tells_each_department(world, smtp):
    entry_id, case_id = accepted_objection(world)
    assert statuses(world, entry_id) == ("suspended", ["suspended"])
    for department_user in ("implementer@example.gov.cn", "bank@example.gov.cn", "reform@example.gov.cn",
                            "licensing@example.gov.cn"):
        assert smtp.kinds(department_user).count("measure.suspend") == 1, department_user
    assert "objection.accepted" in smtp.kinds("applicant@example.gov.cn")
    assert case_state(world, case_id) == "verifying"


def test_confirm_restores_measures_tells_applicant_and_pushes_result(world, smtp, platform):
    entry_id, case_id = accepted_objection(world)
    world.act(case_id, "confirm", "provider", reason="经核实，原处罚决定有效。")
    world.drain()
    assert statuses(world, entry_id) == ("active", ["active"])
    assert case_state(world, case_id) == "closed"
    assert "objection.result" in smtp.kinds("applicant@example.gov.cn")
    assert ("objection.result", "confirm") in results_told(world)
    assert [r["result"] for r in platform.received] == ["confirm"]
    assert platform.attempts == 3  # two refused, the third delivered
    delivery = world.query(lambda s: s.scalars(select(PlatformDelivery)).one())
    assert (delivery.status, delivery.attempts) == ("delivered", 3)


def test_correct_with_measures_stopped_exits_the_entry(world, platform):
    entry_id, case_id = accepted_objection(world)
    world.act(case_id, "correct", "provider", correction="处罚金额记录有误，已更正", measures="stop")
    world.drain()
    assert statuses(world, entry_id) == ("exited", ["stopped"])
    assert world.query(lambda s: s.get(ListEntry, entry_id).exit_reason) == "objection_upheld"
    assert [r["result"] for r in platform.received] == ["correct"]


def test_revoke_purges_entry_stops_measures_and_publishes_a_correction(world, smtp, platform):
    entry_id, case_id = accepted_objection(world)
    world.act(case_id, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    entry = world.query(lambda s: (lambda e: (e.status, e.subject_id, e.basis, [m.status for m in e.measures]))(
        s.get(ListEntry, entry_id)))
    assert entry[0] == "purged" and entry[1] is None and entry[2] == ""
    assert set(entry[3]) == {"stopped"}
    titles = world.query(lambda s: s.scalars(select(Announcement.title)).all())
    assert len(titles) == 1 and "撤销" in titles[0]
    assert ("objection.result", "revoke") in results_told(world)
    assert [r["result"] for r in platform.received] == ["revoke"]


def test_refuse_is_final_and_changes_no_measure(world, smtp):
    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(case_id, "refuse", "office", reason="异议对象不属于本市归集信息。")
    world.drain()
    assert case_state(world, case_id) == "refused"
    assert statuses(world, entry_id) == ("active", ["active"])
    assert ("objection.result", "refuse") in results_told(world)


def test_supplement_pauses_then_resumes_the_clock(world, smtp):
    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(case_id, "request_supplement", "office", reason="请提供撤销处罚的决定书。")
    assert world.query(lambda s: [t.status for t in s.get(Case, case_id).timers]) == ["paused"]
    world.act(case_id, "supplement", "applicant", note="已上传撤销决定书。")
    assert world.query(lambda s: [t.status for t in s.get(Case, case_id).timers]) == ["pending"]
    world.drain()
    assert "objection.supplement" in smtp.kinds("applicant@example.gov.cn")


def test_withdraw_during_verification_resumes_measures(world):
    entry_id, case_id = accepted_objection(world)
    world.act(case_id, "withdraw", "applicant")
    world.drain()
    assert case_state(world, case_id) == "withdrawn"
    assert statuses(world, entry_id) == ("active", ["active"])


@pytest.mark.prefect  # the real flows under Prefect's test harness
@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_breach_flags_overdue_tells_supervisors_and_keeps_measures_suspended(world, smtp):
    from datetime import timedelta

    from workflows.automation.sweep import sweep
    from workflows.store.base import utcnow

    entry_id, case_id = accepted_objection(world)
    later = utcnow() + timedelta(days=60)
    assert world.query(lambda s: sweep(s, now=later)) == 1
    world.drain()
    assert world.query(lambda s: [t.status for t in s.get(Case, case_id).timers if t.kind == "verification"]) == ["breached"]
    assert "deadline.breached.supervise" in smtp.kinds("supervisor@example.gov.cn")
    assert statuses(world, entry_id) == ("suspended", ["suspended"])
    assert world.query(lambda s: sweep(s, now=later)) == 1  # the second escalation, long overdue
    assert world.query(lambda s: sweep(s, now=later)) == 0  # each fired once


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_every_event_is_processed_and_nothing_twice(world, smtp):
    accepted_objection(world)
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(OutboxEvent)
                                          .where(OutboxEvent.status != "done"))) == 0
    before = len(smtp.messages)
    from sqlalchemy import update

    # deliver every event a second time: nothing may happen twice
    world.query(lambda s: s.execute(update(OutboxEvent).values(status="pending")))
    world.drain()
    assert len(smtp.messages) == before
    notes = world.query(lambda s: s.scalar(select(func.count()).select_from(Notification)))
    assert notes == world.query(lambda s: s.scalar(select(func.count(func.distinct(Notification.dedupe_key)))))
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Measure).where(Measure.status == "suspended"))) == 4


# --- nothing derived from a disputed record takes effect; a wrong listing is undone in full; a correction corrects


def after_validity(world, entry_id):
    from datetime import timedelta

    from sla.calendar import day_end_exclusive

    return day_end_exclusive(world.query(lambda s: s.get(ListEntry, entry_id).valid_until)) + timedelta(hours=1)


def entries_of_applicant(world):
    from workflows.store.models import User

    def read(session):
        subject_id = session.scalar(select(User.subject_id).where(User.username == "applicant"))
        return [(e.list_kind, e.status, e.exit_reason, sorted({m.status for m in e.measures}))
                for e in session.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id)
                                         .order_by(ListEntry.id))]
    return world.query(read)


def test_an_expiry_while_the_entry_is_verified_waits_for_the_decision(world, travel):
    from workflows.automation.sweep import sweep

    entry_id, case_id = accepted_objection(world)
    later = after_validity(world, entry_id)
    world.query(lambda s: sweep(s, now=later))
    world.drain()
    # no key-attention listing, no measure applied while the blacklisting is verified
    assert entries_of_applicant(world) == [("black", "suspended", None, ["suspended"])]
    travel(later)
    world.act(case_id, "confirm", "provider", reason="经核实，原处罚决定有效。")
    world.drain()
    black, key = entries_of_applicant(world)
    assert black == ("black", "exited", "expired", ["stopped"])  # still due once confirmed: it takes effect now
    assert key[:2] == ("key_attention", "active")


def test_an_expiry_while_verified_does_not_happen_when_the_listing_is_revoked(world, travel):
    from workflows.automation.sweep import sweep

    entry_id, case_id = accepted_objection(world)
    later = after_validity(world, entry_id)
    world.query(lambda s: sweep(s, now=later))
    world.drain()
    travel(later)
    world.act(case_id, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    assert entries_of_applicant(world) == []  # purged, and nothing followed from it


def test_revoke_undoes_the_key_attention_entry_that_followed_the_wrong_listing(world):
    """However it came about (an exit while disputed), the entry that followed a wrong listing goes with it."""
    from sla.calendar import day_end_exclusive
    from workflows.domain.lists import ExitReason
    from workflows.services.lists import list_lifecycle

    entry_id, case_id = accepted_objection(world)

    def exit_while_disputed(session):
        entry = session.get(ListEntry, entry_id)
        now = day_end_exclusive(entry.valid_until)  # the instant its validity ended
        event = list_lifecycle.emit(session, "expire", now, list_entry_id=entry_id)
        list_lifecycle.exit_blacklist(session, event, entry, ExitReason.EXPIRED,
                                      list_lifecycle.default_key_attention_until(session, now), now)
        return entry.document_no

    document_no = world.query(exit_while_disputed)
    world.drain()
    assert [e[:2] for e in entries_of_applicant(world)] == [("black", "exited"), ("key_attention", "active")]
    world.act(case_id, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    left = world.query(lambda s: [(e.list_kind, e.status, e.subject_id, e.document_no, {m.status for m in e.measures})
                                  for e in s.scalars(select(ListEntry).where(ListEntry.id >= entry_id))
                                  if e.id == entry_id or e.derived_from_id == entry_id])
    assert left == [("black", "purged", None, "", {"stopped"}), ("key_attention", "purged", None, "", {"stopped"})]
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(ListEntry)
                                          .where(ListEntry.document_no == document_no))) == 0


def test_a_suspended_entry_does_not_count_against_the_green_channel(world):
    from workflows.services.processes.eligibility import eligibility_of
    from workflows.store.models import User

    def reasons(session):
        subject_id = session.scalar(select(User.subject_id).where(User.username == "applicant"))
        return {r.code for r in eligibility_of(session, subject_id).reasons if not r.supports}

    before = world.query(reasons)
    accepted_objection(world)
    after = world.query(reasons)
    assert before and not after, (before, after)


def test_correct_changes_the_published_record_and_announces_the_corrected_data(world, smtp):
    from datetime import timedelta

    from workflows.services.lists import public_lists

    entry_id, case_id = accepted_objection(world)
    until = world.query(lambda s: s.get(ListEntry, entry_id).valid_until) - timedelta(days=30)
    world.act(case_id, "correct", "provider", correction="列入文号及依据有误，已更正。", measures="resume",
              basis="《企业信息公示暂行条例》第十八条（更正）", document_no="珠市监〔2026〕7号（更正）",
              valid_until=until.isoformat())
    world.drain()
    entry = world.query(lambda s: (lambda e: (e.status, e.basis, e.document_no, e.valid_until,
                                              sorted({m.status for m in e.measures})))(s.get(ListEntry, entry_id)))
    assert entry == ("active", "《企业信息公示暂行条例》第十八条（更正）", "珠市监〔2026〕7号（更正）", until, ["active"])
    from workflows import clock

    shown = world.query(lambda s: [(e.basis, e.document_no, e.valid_until) for e in public_lists.search(
        s, "珠海示例科技", list_kind="black", today=clock.today()).items if e.id == entry_id])
    assert shown == [("《企业信息公示暂行条例》第十八条（更正）", "珠市监〔2026〕7号（更正）", until)]
    bodies = world.query(lambda s: [a.body for a in s.scalars(select(Announcement).where(Announcement.kind == "correction"))])
    assert len(bodies) == 1 and "珠市监〔2026〕7号（更正）" in bodies[0] and until.isoformat() in bodies[0]


def test_an_acceptance_extends_its_cases_history_chain_once_and_reads_no_measure_item_alone(world, smtp):
    """The entry's and its measures' suspensions are written in one flush: their history rows extend the case's
    chain once (a lazy load of the measures between the two changes had flushed the entry's alone), and the
    measures come with their catalogue items, the case with its applicant, subject and entry (no lazy load each),
    and the e-mails are composed from what the notices' inserts returned (their rows not read again)."""
    from sqlalchemy import event

    from workflows.steps import runtime

    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", list_entry_id=entry_id, grounds=GROUNDS)
    world.drain()
    world.act(case_id, "accept", "office")
    engine = runtime.configure(world.config).sessions.kw["bind"]
    statements = []
    listener = lambda _c, _cur, statement, *_: statements.append(" ".join(statement.split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        world.drain()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statuses(world, entry_id) == ("suspended", ["suspended"])
    extended = [s for s in statements if re.match(r"UPDATE cases SET chain_head=(\?|%\()", s)]  # a new head written
    assert len(extended) == 1, statements
    assert not [s for s in statements if s.startswith(("SELECT measure_catalogue.", "SELECT list_entries.",
                                                        "SELECT subjects.", "SELECT notifications."))], statements
