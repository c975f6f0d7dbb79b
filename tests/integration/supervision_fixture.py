"""A small world of cases whose supervision figures are computed by hand (see each comment).

Departments: SCJGJ (market regulation) provides the applicant's blacklist entry, FY (court) the
person's, SWJ (tax) lists redco on the red list. Clock: Asia/Shanghai.

- D  applicant, filed 2026-02-12 (Thu), refused 2026-02-24: across the Spring Festival (Feb 15-23 off,
     Feb 14 a make-up Saturday) 3 working days (Feb 13, 14, 24); its acceptance deadline (due Feb 24) met.
- C  redco, filed 2026-09-01, accepted 2026-09-02: verification due 2026-09-30, breached on Oct 1, still
     open: on 2026-11-05 it is 22 working days overdue (Oct 8-10, 12-16, 19-23, 26-30, Nov 2-5).
- A  applicant, filed and accepted 2026-09-28 (before the National Day), confirmed and closed
     2026-10-20: 12 working days (Sep 29, 30, Oct 8, 9, 10 (make-up Saturday), 12-16, 19, 20).
- B  person, filed 2026-10-09: acceptance due Oct 13 (Oct 10, 12, 13), breached Oct 14, accepted late
     Oct 15; verification due Nov 12 (warning from Nov 10): on track on Nov 5.
- E  applicant, filed 2026-10-21, withdrawn 2026-10-23: 2 working days; its acceptance ends as met.

Measures in October: on Oct 20 the four measures of the applicant's entry resume (CZJ, FGW, RMYH,
SCJGJ); on Oct 10 a new red listing applies I-PROC (CZJ) and I-FIN (RMYH); on Oct 28 P-FIN (RMYH) stops.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from sla.calendar import ZONE
from workflows.automation.sweep import sweep
from workflows.demo import enterprise_code
from workflows.domain.process import Actor
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework import history
from workflows.services.casework.actors import actor_for
from workflows.services.lists import listings
from workflows.store.models import ListEntry

GROUNDS = "原处罚决定已被复议机关撤销，请核实。"
NOW = datetime(2026, 11, 5, 12, tzinfo=ZONE)
TODAY = date(2026, 11, 5)
SYSTEM = Actor.system("test")


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZONE)


def actor(session, username: str) -> Actor:
    return actor_for(find_user(session, username))


def entry_of(session, username: str) -> ListEntry:
    subject_id = find_user(session, username).subject_id
    return session.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id).order_by(ListEntry.id)).first()


def file(session, username: str, when: datetime) -> int:
    case = case_service.file_case(session, "objection", actor(session, username),
                                  {"list_entry_id": entry_of(session, username).id, "grounds": GROUNDS}, now=when)
    return case.id


def act(session, case_id: int, action: str, username: str | None, when: datetime, **params) -> None:
    case_service.take_action(session, case_id, action, actor(session, username) if username else SYSTEM, params,
                             now=when)


def measure_event(session, measure, verb: str, when: datetime) -> None:
    """What the flow's consequences record when a measure changes, at a chosen instant."""
    before, after = measure.change_status(verb, at=when)
    history.record(session, actor=SYSTEM, action=f"{verb}_measure", entity_type="measure", entity_id=measure.id,
                   from_state=before, to_state=after, at=when, data={"list_entry_id": measure.list_entry_id})


def build(session) -> dict[str, int]:
    """The cases above, on a seeded database; returns their ids by letter."""
    ids = {}
    ids["D"] = file(session, "applicant", at(2, 12))
    act(session, ids["D"], "refuse", "office", at(2, 24), reason="不属于本市归集信息。")
    ids["C"] = file(session, "redco", at(9, 1))
    act(session, ids["C"], "accept", "office", at(9, 2))
    ids["A"] = file(session, "applicant", at(9, 28))
    act(session, ids["A"], "accept", "office", at(9, 28, 11))
    applicant_entry = entry_of(session, "applicant")
    for measure in applicant_entry.measures:
        measure_event(session, measure, "suspend", at(9, 28, 12))
    session.commit()
    assert sweep(session, now=at(10, 1, 1)) == 1  # C's verification breaches
    ids["B"] = file(session, "person", at(10, 9, 9))
    listings.record_listing(session, listings.ListingRequest(
        enterprise_code("91440300MA5FQ1234"), "珠海守约贸易有限公司", "red", "SWJ", "纳税信用A级", "珠税〔2026〕21号",
        date(2026, 10, 10), date(2027, 10, 9), ["I-PROC", "I-FIN"]), SYSTEM, now=at(10, 10))
    session.commit()
    assert sweep(session, now=at(10, 14, 1)) == 2  # B's acceptance breaches; C escalates a second time
    act(session, ids["B"], "accept", "office", at(10, 15))
    act(session, ids["A"], "confirm", "provider", at(10, 20), reason="经核实，原处罚决定有效。")
    act(session, ids["A"], "close", None, at(10, 20, 11))
    for measure in applicant_entry.measures:
        measure_event(session, measure, "resume", at(10, 20, 12))
    ids["E"] = file(session, "applicant", at(10, 21, 9))
    act(session, ids["E"], "withdraw", "applicant", at(10, 23), reason="已自行解决。")
    fin = next(m for m in applicant_entry.measures if m.catalogue.code == "P-FIN")
    measure_event(session, fin, "stop", at(10, 28))
    session.commit()
    return ids
