"""The lists' life by timer and by a department's decision, carried out by the real flow: a blacklist entry
exits at its expiry (then key-attention), a key-attention entry exits at its own, and a key-attention subject
is moved to the blacklist. Each asserts entries, measures, e-mails (real SMTP), platform and announcements."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from sla.calendar import day_end_exclusive
from workflows import clock
from workflows.automation.sweep import sweep
from workflows.domain.errors import NotFound, RoleNotAllowed
from workflows.processes.repair_exit import add_months
from workflows.services.lists import list_lifecycle, list_validity
from workflows.store.automation import Announcement
from workflows.store.cases import Timer
from workflows.store.models import ListEntry, Subject, User

KEY_ENTERPRISE = "91440402MA51R2C9XC"


def entries_of(world, *, username=None, code=None):
    def read(session):
        if username:
            subject_id = session.scalar(select(User.subject_id).where(User.username == username))
        else:
            subject_id = session.scalar(select(Subject.id).where(Subject.code == code))
        return [(e.list_kind, e.status, e.exit_reason, e.valid_until, sorted((m.catalogue.code, m.status)
                                                                              for m in e.measures))
                for e in session.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id)
                                         .order_by(ListEntry.id))]
    return world.query(read)


def announcements(world):
    return world.query(lambda s: [(a.kind, a.list_kind, a.title) for a in s.scalars(select(Announcement))])


def after(day):
    return day_end_exclusive(day) + timedelta(hours=1)


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_blacklist_expiry_exits_stops_measures_announces_then_key_attention_expires_unannounced(world, smtp, platform):
    black_until = world.query(lambda s: s.get(ListEntry, world.entry_of("applicant")).valid_until)
    world.query(lambda s: sweep(s, now=day_end_exclusive(black_until) - timedelta(minutes=1)))
    world.drain()
    assert entries_of(world, username="applicant")[0][1] == "active"  # still valid on its last day
    assert world.query(lambda s: sweep(s, now=after(black_until))) == 2  # both demo blacklist entries end then
    world.drain()
    key_until = add_months(black_until + timedelta(days=1), 12)
    black, key = [e for e in entries_of(world, username="applicant")]
    assert black[:3] == ("black", "exited", "expired") and {m[1] for m in black[4]} == {"stopped"}
    assert key == ("key_attention", "active", None, key_until, [("P-FIN", "active")])
    for department_user in ("implementer@example.gov.cn", "bank@example.gov.cn", "reform@example.gov.cn",
                            "licensing@example.gov.cn"):
        stops = [params for kind, params in world.notices_to(department_user) if kind == "measure.stop"]
        assert [p["name"] for p in stops].count("珠海示例科技有限公司") == 1, department_user
    assert ("key_attention.warning", key_until.isoformat()) in [
        (kind, params.get("until")) for kind, params in world.notices_to("applicant@example.gov.cn")]
    titles = [a for a in announcements(world) if "珠海示例科技" in a[2]]
    assert titles == [("exit", "black", "失信联合惩戒对象移出公告（珠海示例科技有限公司）")]
    assert "expired" in [r["result"] for r in platform.received]

    # the key-attention entry then ends at its own expiry: measures stopped, the subject told, never announced
    smtp.messages.clear()
    before = len(announcements(world))
    world.query(lambda s: sweep(s, now=after(key_until)))
    world.drain()
    key = entries_of(world, username="applicant")[1]
    assert key == ("key_attention", "exited", "expired", key_until, [("P-FIN", "stopped")])
    assert "key_attention.expired" in smtp.kinds("applicant@example.gov.cn")
    assert "measure.stop" in smtp.kinds("bank@example.gov.cn")
    assert len(announcements(world)) == before
    assert all(a[1] != "key_attention" for a in announcements(world))


def test_an_extended_validity_is_not_expired_by_the_old_timer(world):
    entry_id = world.entry_of("applicant")
    until = world.query(lambda s: s.get(ListEntry, entry_id).valid_until)
    world.query(lambda s: list_validity.arm_missing(s, day_end_exclusive(until) - timedelta(days=30)))

    def extend(session):
        session.get(ListEntry, entry_id).valid_until = until + timedelta(days=365)
    world.query(extend)
    world.query(lambda s: sweep(s, now=after(until)))
    world.drain()
    assert entries_of(world, username="applicant")[0][1] == "active"
    timers = world.query(lambda s: sorted((t.due_on, t.status, t.breached_at) for t in s.scalars(
        select(Timer).where(Timer.list_entry_id == entry_id))))
    # the new validity armed its own timer; an ended validity is no missed deadline in the statistics
    assert timers == [(until, "expired", None), (until + timedelta(days=365), "pending", None)]


def test_severe_violation_moves_a_key_attention_subject_to_the_blacklist(world, smtp, platform):
    key_id = world.query(lambda s: s.scalar(select(ListEntry.id).join(Subject).where(Subject.code == KEY_ENTERPRISE)))
    request = list_lifecycle.Escalation(key_id, "重点关注期间再次发生食品安全严重违法行为（《食品安全法》第一百三十四条）",
                                        "珠市监食〔2026〕99号", add_months(clock.today(), 24),
                                        ["P-PROC", "P-BID"])
    with pytest.raises(RoleNotAllowed):
        world.query(lambda s: list_lifecycle.escalate_to_blacklist(s, request, world.actor("implementer")))
    assert [e[:2] for e in entries_of(world, code=KEY_ENTERPRISE)] == [("key_attention", "active")]
    with pytest.raises(NotFound):
        world.query(lambda s: list_lifecycle.escalate_to_blacklist(
            s, list_lifecycle.Escalation(world.entry_of("applicant"), "x", "y", request.valid_until, ["P-PROC"]),
            world.actor("provider")))

    world.query(lambda s: list_lifecycle.escalate_to_blacklist(s, request, world.actor("provider")))
    world.drain()
    key, black = entries_of(world, code=KEY_ENTERPRISE)
    assert key[:3] == ("key_attention", "exited", "blacklisted") and key[4] == [("P-INSPECT", "stopped")]
    assert black[:2] == ("black", "active") and black[4] == [("P-BID", "active"), ("P-PROC", "active")]
    assert "measure.apply" in smtp.kinds("implementer@example.gov.cn")
    assert "measure.apply" in smtp.kinds("housing@example.gov.cn")
    assert "measure.stop" in smtp.kinds("licensing@example.gov.cn")
    assert [r["result"] for r in platform.received] == ["blacklisted"]
    assert platform.received[0]["list"] == "black"
    assert announcements(world) == []  # a listing is not an exit: nothing announced, key-attention never


def test_every_notice_masks_a_persons_name_the_same_way(world):
    """The key-attention warning after a person's blacklist expiry names the person as every notice does."""
    from workflows.demo import PERSON_BLACK
    from workflows.labels import mask_name
    from workflows.store.automation import Notification

    until = world.query(lambda s: s.scalar(select(ListEntry.valid_until).join(Subject).where(
        Subject.code == PERSON_BLACK, ListEntry.list_kind == "black")))
    world.query(lambda s: sweep(s, now=after(until)))
    world.drain()
    names = world.query(lambda s: [n.params.get("name") for n in s.scalars(select(Notification).where(
        Notification.kind == "key_attention.warning"))])
    assert mask_name("李明", "person") in names and "李明" not in names


def test_only_the_listing_department_escalates_its_key_attention_entry(world):
    """Another listing department (SWJ, FY) may not move SCJGJ's key-attention subject to the blacklist: it
    lists the subject itself on its own finding (as the red-list re-evaluation is kept to one's own entries)."""
    key_id = world.query(lambda s: s.scalar(select(ListEntry.id).join(Subject).where(Subject.code == KEY_ENTERPRISE)))
    request = list_lifecycle.Escalation(key_id, "重点关注期间再次发生严重违法行为", "泉税〔2026〕99号",
                                        add_months(clock.today(), 24), ["P-PROC"])
    for other in ("tax", "court"):
        with pytest.raises(RoleNotAllowed) as refused:
            world.query(lambda s: list_lifecycle.escalate_to_blacklist(s, request, world.actor(other)))
        assert "listed" in refused.value.message
    assert [e[:2] for e in entries_of(world, code=KEY_ENTERPRISE)] == [("key_attention", "active")]
