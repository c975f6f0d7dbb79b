"""What the subject is owed: told of every blacklist and key-attention listing (Q V(5), Q IV(4)), and the right to
administrative review and litigation stated with every adverse decision (Z VII(3), Q V(6))."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows import clock
from workflows.demo import ENTERPRISE_KEY, ENTERPRISE_RED
from workflows.processes.repair_exit import add_months
from workflows.services.admin import settings
from workflows.services.lists import list_lifecycle, listings
from workflows.store.automation import Notification
from workflows.store.models import ListEntry, Subject

REDCO = "redco@example.gov.cn"


def listed(world, kind, username="court", department="FY"):
    def run(session):
        request = listings.ListingRequest(ENTERPRISE_RED, "泉州守信制造有限公司", kind, department,
                                          "拒不履行生效判决（失信被执行人）", "（2026）闽05执88号", clock.today(),
                                          clock.today() + timedelta(days=730), ["P-PROC"], "court_enforcement",
                                          "信用中国（泉州）网站")
        return listings.list_for_department(session, request, world.actor(username)).valid_until

    until = world.query(run)
    world.drain()
    return until


@pytest.mark.parametrize("kind,notice", [("black", "listing.blacklist"), ("key_attention", "listing.key_attention")])
def test_a_listing_tells_the_subject_what_on_what_basis_the_measures_the_validity_and_its_rights(world, smtp, kind,
                                                                                                 notice):
    until = listed(world, kind)
    told = [(k, p) for k, p in world.notices_to(REDCO) if k.startswith("listing.")]
    assert [k for k, _ in told] == [notice]
    params = told[0][1]
    assert params["until"] == until.isoformat() and params["basis"] == "拒不履行生效判决（失信被执行人）"
    assert params["document"] == "（2026）闽05执88号" and params["review_body"] == "市人民政府"
    assert [m["measure"]["zh"] for m in params["measures"]] == ["限制参与政府采购活动"]
    assert notice in smtp.kinds(REDCO)
    body = world.query(lambda s: s.scalars(select(Notification.body).where(Notification.kind == notice)).first())
    assert until.isoformat() in body and "异议" in body and "行政复议" in body and "行政诉讼" in body


def test_a_key_attention_subject_moved_to_the_blacklist_is_told_as_at_any_listing(world):
    key_id = world.query(lambda s: s.scalar(select(ListEntry.id).join(Subject).where(Subject.code == ENTERPRISE_KEY)))
    request = list_lifecycle.Escalation(key_id, "重点关注期间再次发生食品安全严重违法行为", "珠市监食〔2026〕99号",
                                        add_months(clock.today(), 24), ["P-PROC"])
    world.query(lambda s: list_lifecycle.escalate_to_blacklist(s, request, world.actor("provider")))
    world.drain()
    key_users = world.query(lambda s: [u.email for u in list_lifecycle.subject_users(
        s, s.scalar(select(Subject.id).where(Subject.code == ENTERPRISE_KEY)))])
    for email in key_users:
        assert "listing.blacklist" in [k for k, _ in world.notices_to(email)]


def test_an_adverse_result_states_the_rights_with_the_bodies_the_administrator_set(world):
    world.query(lambda s: settings.change(s, "rights.review_body", "珠海市人民政府", world.actor("admin")))
    world.query(lambda s: settings.change(s, "rights.court", "珠海市香洲区人民法院", world.actor("admin")))
    refused = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds="该行政处罚已于2026年3月撤销，列入依据不存在。")
    world.act(refused, "refuse", "office", reason="不属于异议受理范围。")
    world.drain()
    results = [p for k, p in world.notices_to("applicant@example.gov.cn") if k == "objection.result"]
    assert results[0]["result"] == "refuse"
    assert (results[0]["review_body"], results[0]["court"], results[0]["review_days"]) == (
        "珠海市人民政府", "珠海市香洲区人民法院", 60)
