"""A blacklist exit because the criteria changed (Q VI(1), way four), carried out by the real flow: the listing
department previews the entries its stated rule no longer covers and exits them in bulk; each exits with the
reason, its measures stop, the exit is announced through the original channel, the subject goes onto the
key-attention list for the validity the department set and is warned, and the platform hears of it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows import clock
from workflows.demo import ENTERPRISE_BLACK, PERSON_BLACK
from workflows.domain.errors import InvalidInput, RoleNotAllowed
from workflows.services.lists import blacklist_reevaluation as reevaluation
from workflows.services.lists import list_validity
from workflows.services.lists.reevaluation import Reevaluation
from workflows.store.automation import Announcement
from workflows.store.cases import Timer
from workflows.store.models import HistoryEntry, ListEntry, Subject

RULE = Reevaluation(statement="经营异常名录届满三年的企业不再列入黑名单，改列重点关注。", category="market_regulation")


def entries_of(world, code):
    return world.query(lambda s: [
        (e.list_kind, e.status, e.exit_reason, e.valid_until, sorted((m.catalogue.code, m.status) for m in e.measures))
        for e in s.scalars(select(ListEntry).join(Subject).where(Subject.code == code).order_by(ListEntry.id))])


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_a_changed_criterion_exits_the_blacklist_entries_onto_key_attention_announced(world, smtp, platform):
    until = clock.today() + timedelta(days=200)
    black_id = world.entry_of("applicant")
    # the entries' expiry timers, as the sweep arms them (at the instant the entry was recorded)
    world.query(lambda s: list_validity.arm_missing(s, s.get(ListEntry, black_id).created_at))
    preview = world.query(lambda s: [e.id for e in reevaluation.preview(s, world.actor("provider"), RULE)])
    assert preview == [black_id]  # SCJGJ's one blacklist entry of the category; FY's person is not its own

    keys = world.query(lambda s: [(k.list_kind, k.valid_until) for k in reevaluation.confirm(
        s, world.actor("provider"), RULE, [black_id], {"key_attention_until": until.isoformat()})])
    assert keys == [("key_attention", until)]
    black, key = entries_of(world, ENTERPRISE_BLACK)
    assert black[:3] == ("black", "exited", "criteria_changed") and {m[1] for m in black[4]} == {"stopped"}
    assert key[:4] == ("key_attention", "active", None, until) and key[4] == [("P-FIN", "active")]
    assert entries_of(world, PERSON_BLACK)[0][:2] == ("black", "active")  # another department's entry untouched
    reason = world.query(lambda s: s.scalar(select(HistoryEntry.reason).where(HistoryEntry.action == "reevaluate")))
    assert reason == RULE.statement
    timers = world.query(lambda s: [t.status for t in s.scalars(select(Timer).where(Timer.list_entry_id == black_id))])
    assert timers == ["cancelled"]  # its expiry will not come

    world.drain()
    announced = world.query(lambda s: [(a.kind, a.list_kind, a.channel, a.body) for a in s.scalars(
        select(Announcement).where(Announcement.title.contains("珠海示例科技")))])
    assert [a[:3] for a in announced] == [("exit", "black", "信用中国（珠海）网站")]
    assert "认定标准" in announced[0][3]
    assert ("key_attention.warning", until.isoformat()) in [
        (kind, params.get("until")) for kind, params in world.notices_to("applicant@example.gov.cn")]
    stops = [p for kind, p in world.notices_to("implementer@example.gov.cn") if kind == "measure.stop"]
    assert [p["name"] for p in stops] == ["珠海示例科技有限公司"]
    assert [r["result"] for r in platform.received] == ["criteria_changed"]
    assert not any(a[1] == "key_attention" for a in announced)  # the key-attention listing is never announced

    with pytest.raises(InvalidInput, match="matches none"):  # exited: nothing is left to exit
        world.query(lambda s: reevaluation.preview(s, world.actor("provider"), RULE))


def test_a_bulk_exit_is_refused_whole_without_a_validity_or_by_another_department(world):
    black_id = world.entry_of("applicant")
    for params, error in (({}, InvalidInput), ({"key_attention_until": clock.today().isoformat()}, InvalidInput)):
        with pytest.raises(error, match="key-attention"):
            world.query(lambda s: reevaluation.confirm(s, world.actor("provider"), RULE, [black_id], params))
    with pytest.raises(InvalidInput, match="do not match"):  # FY's entry is not SCJGJ's
        person = world.entry_of("person")
        world.query(lambda s: reevaluation.confirm(s, world.actor("provider"), RULE, [black_id, person],
                                                   {"key_attention_months": 6}))
    with pytest.raises(RoleNotAllowed):
        world.query(lambda s: reevaluation.preview(s, world.actor("implementer"), RULE))
    assert entries_of(world, ENTERPRISE_BLACK)[0][:2] == ("black", "active")
    assert len(entries_of(world, ENTERPRISE_BLACK)) == 1
