"""Reporting to the municipal platform (Q IV(2), Z V(1)): new listings, exits and the kept monthly statistics
are pushed as results are, through the never-lost delivery (a local receiver that refuses the first attempts)."""
from datetime import date

from sqlalchemy import select

from workflows.domain.process import Actor
from workflows.services.lists import listings
from workflows.services.supervision import monthly
from workflows.store.automation import PlatformDelivery

ADMIN = Actor(user_id=None, label="test")
GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"


def request(code, kind, measures):
    return listings.ListingRequest(subject_code=code, subject_name="泉州示例贸易有限公司", list_kind=kind,
                                   department_code="SCJGJ", basis="《企业信息公示暂行条例》第十八条",
                                   document_no="泉市监〔2026〕8号", listed_on=date(2026, 11, 2),
                                   valid_until=date(2027, 11, 2), measure_codes=measures)


def deliveries(world):
    return world.query(lambda s: [(d.payload.get("type") or d.payload.get("process"), d.status, d.attempts)
                                  for d in s.scalars(select(PlatformDelivery).order_by(PlatformDelivery.id))])


def test_new_listings_and_the_monthly_statistics_reach_the_platform_after_refusals(world, platform, travel):
    travel(date(2026, 11, 2))
    world.query(lambda s: listings.record_listing(s, request("91350500MA2XN4QW5C", "black", ["P-PROC", "P-FIN"]),
                                                  ADMIN, tell=True))
    world.query(lambda s: listings.record_listing(s, request("91110000600037341L", "key_attention", ["P-FIN"]),
                                                  ADMIN, tell=True))
    world.drain()
    assert platform.attempts == len(platform.received) + 2  # the first two attempts were refused, then retried
    listed = sorted((r for r in platform.received if r.get("type") == "listings"), key=lambda r: r["event_id"])
    assert len(listed) == 2  # one delivery per listing event, in whatever order the retries delivered them
    [black] = listed[0]["entries"]
    assert (black["list"], black["public"], black["subject_code"], black["document_no"], black["measures"]) == (
        "black", True, "91350500MA2XN4QW5C", "泉市监〔2026〕8号", ["P-PROC", "P-FIN"])
    [key] = listed[1]["entries"]
    assert (key["list"], key["public"]) == ("key_attention", False)  # shared with the platform, never published

    travel(date(2026, 12, 1))  # the first working day of December: November's report is kept, then pushed
    report = world.query(lambda s: monthly.generate_due(s, date(2026, 12, 1)).figures)
    world.drain()
    [statistics] = [r for r in platform.received if r.get("type") == "monthly_statistics"]
    assert statistics["month"] == "2026-11" and statistics["figures"] == report
    assert "carried_out" in statistics["figures"]["total"]
    assert {status for _, status, _ in deliveries(world)} == {"delivered"}


def test_an_exit_is_reported_with_the_entry_it_left(world, platform):
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.act(case_id, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    [result] = [r for r in platform.received if r.get("process") == "objection"]
    assert result["result"] == "revoke"
    assert result["entry"] == {"list": "black", "status": "purged", "exit_reason": "objection_upheld"}
