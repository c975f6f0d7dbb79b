"""The persons named in an enterprise's blacklisting (落实到人, Z IV(7), Q III(6)), carried out by the flows: each
person's linked record follows the enterprise entry when an accepted objection suspends it, when it is confirmed,
when it exits by credit repair or by changed criteria, and when an upheld objection purges it (the persons then
erased: unlinked, and deleted when nothing else is on record about them)."""
from datetime import timedelta

from sqlalchemy import func, select

from workflows import clock
from workflows.domain.process import Actor
from workflows.services.admin import accounts
from workflows.services.casework import evidence
from workflows.services.lists import blacklist_reevaluation, listings
from workflows.services.lists.reevaluation import Reevaluation
from workflows.services.lists.responsible_persons import LEGAL_REPRESENTATIVE, NamedPerson, records_of
from workflows.store.automation import Announcement, Notification
from workflows.store.cases import Case
from workflows.store.models import HistoryEntry, ListEntry, ResponsiblePerson, Subject

ENTERPRISE = "91440400MA4ABCDE1G"
LEGAL, RESPONSIBLE = "440402198505050023", "440402199009090039"
PERSONS = [NamedPerson(LEGAL, "王建国", LEGAL_REPRESENTATIVE), NamedPerson(RESPONSIBLE, "陈小红")]
GROUNDS = "该行政处罚已于2026年3月撤销，列入依据不存在。"


def listed(world) -> int:
    """The enterprise on SCJGJ's blacklist with its two persons, and an account that acts for it."""
    today = clock.today()

    def record(session):
        entry = listings.list_for_department(session, listings.ListingRequest(
            ENTERPRISE, "珠海落实到人测试有限公司", "black", "SCJGJ", "《企业信息公示暂行条例》第十七条",
            "珠市监信〔2026〕77号", today - timedelta(days=400), today + timedelta(days=700), ["P-PROC", "P-FIN"],
            "market_regulation", "信用中国（珠海）网站", PERSONS), world.actor("provider"))
        accounts.create_user(session, username="ent", password="ent-password-123", roles=["applicant"],
                             actor=Actor.system("test"), subject_code=ENTERPRISE, email="ent@example.gov.cn")
        return entry.id
    entry_id = world.query(record)
    world.drain()
    return entry_id


def records(world, code):
    """(role, status, exit reason) of each linked record of the person, as its credit file shows them."""
    def read(session):
        person = session.scalar(select(Subject).where(Subject.code == code))
        return [(r.role, r.status, r.entry.exit_reason) for r in records_of(session, person)] if person else None
    return world.query(read)


def both(world):
    return records(world, LEGAL), records(world, RESPONSIBLE)


def test_the_records_follow_suspension_confirmation_and_a_repair_exit(world):
    entry_id = listed(world)
    assert both(world) == ([(LEGAL_REPRESENTATIVE, "active", None)], [("responsible_person", "active", None)])

    objection = world.file("ent", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(objection, "accept", "office")
    world.drain()
    assert both(world) == ([(LEGAL_REPRESENTATIVE, "suspended", None)], [("responsible_person", "suspended", None)])
    world.act(objection, "confirm", "provider", reason="经核实，原处罚决定有效。")
    world.drain()
    assert both(world) == ([(LEGAL_REPRESENTATIVE, "active", None)], [("responsible_person", "active", None)])

    repair = world.file("ent", "repair_exit", list_entry_id=entry_id,
                        rectification="已于2026年10月补报年度报告，并缴清全部罚款。")
    world.query(lambda s: evidence.store(s, s.get(Case, repair), [evidence.Upload("缴款凭证.pdf", b"%PDF-1.4\n")],
                                         world.actor("ent"), world.config.upload_dir, 10**6))
    world.act(repair, "submit", "ent", commitment_signed=True)
    world.act(repair, "accept", "office")
    world.act(repair, "approve", "provider", key_attention_months=12)
    world.drain()
    assert both(world) == ([(LEGAL_REPRESENTATIVE, "exited", "repaired")],
                           [("responsible_person", "exited", "repaired")])


def test_the_records_follow_an_exit_because_the_criteria_changed(world):
    entry_id = listed(world)
    rule = Reevaluation(statement="经营异常名录届满三年的企业不再列入黑名单，改列重点关注。", category="market_regulation")
    world.query(lambda s: blacklist_reevaluation.confirm(s, world.actor("provider"), rule,
                                                         [entry_id, world.entry_of("applicant")],
                                                         {"key_attention_months": 6}))
    world.drain()
    assert both(world) == ([(LEGAL_REPRESENTATIVE, "exited", "criteria_changed")],
                           [("responsible_person", "exited", "criteria_changed")])


def test_a_purge_erases_the_persons_with_the_listing(world):
    entry_id = listed(world)
    objection = world.file("ent", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(objection, "accept", "office")
    world.drain()
    world.act(objection, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    assert both(world) == (None, None)  # the persons had nothing else on record: deleted

    def read(session):
        links = [(link.subject_id, link.purged_at is not None, link.status)
                 for link in session.scalars(select(ResponsiblePerson).where(ResponsiblePerson.list_entry_id == entry_id))]
        texts = [str(n.params) + n.subject + n.body for n in session.scalars(select(Notification))]
        texts += [a.title + a.body for a in session.scalars(select(Announcement))]
        texts += [str(h.data) + h.reason for h in session.scalars(select(HistoryEntry))]
        left = session.scalar(select(func.count()).select_from(Subject).where(Subject.code.in_([LEGAL, RESPONSIBLE])))
        return links, texts, left, session.get(ListEntry, entry_id).status
    links, texts, left, status = world.query(read)
    assert status == "purged" and left == 0
    assert links == [(None, True, "purged"), (None, True, "purged")]
    assert not [t for t in texts if any(s in t for s in (LEGAL, RESPONSIBLE, "王建国", "陈小红"))]


def test_a_person_with_another_record_is_kept_but_unlinked(world):
    """The legal representative of two listed enterprises: the wrong listing's link goes, the other stays."""
    entry_id = listed(world)
    other = "91440402MA51R2C9XC"  # the demo key-attention enterprise, blacklisted anew
    world.query(lambda s: listings.list_for_department(s, listings.ListingRequest(
        other, "珠海某餐饮管理有限公司", "black", "FY", "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "（2026）粤04执99号", clock.today(), clock.today() + timedelta(days=300), ["P-FIN"], "court_enforcement",
        "信用中国（珠海）网站", [NamedPerson(LEGAL, "王建国", LEGAL_REPRESENTATIVE)]), world.actor("court")))
    objection = world.file("ent", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(objection, "accept", "office")
    world.act(objection, "revoke", "provider", reason="系误将他人信息归集至该企业。")
    world.drain()
    assert records(world, LEGAL) == [(LEGAL_REPRESENTATIVE, "active", None)]  # the other listing's record
    assert records(world, RESPONSIBLE) is None
