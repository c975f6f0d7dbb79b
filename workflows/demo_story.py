"""The demo's story: a month of cases in every state of the four processes, so every demo role's first page shows
real work (`credit-cases demo seed`, `make run`).

Each case is filed and decided through the same services as real input, on the day the story says (the product's
clock travels there), and the steps its events plan are carried out at once, as the worker would. The last days'
timers are swept on the product's today: some cases are overdue, a credit commitment is breached; the supervisor
has urged a late department. The story adds enterprises of its own (each with an applicant account, `qiye01` ...)
beside the demo's subjects, whose accounts have work too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import clock
from workflows.automation import sweep
from workflows.config import Config
from workflows.demo import DEMO_PASSWORD, ENTERPRISE_RED_2, enterprise_code
from workflows.domain.process import Actor
from workflows.processes import DEFINITIONS
from workflows.services.admin import accounts
from workflows.services.casework import evidence
from workflows.services.casework.actors import actor_for
from workflows.services.casework.cases import file_case, take_action
from workflows.services.deliveries import delivery_queue
from workflows.services.lists import listings
from workflows.services.lists.subjects import register_subject
from workflows.services.processes import redlist_removal as removal
from workflows.services.supervision import urging
from workflows.steps import EVENT_PLANS, STEPS, plan_of
from workflows.steps import runtime as flow_runtime
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.green import LicenceMatter
from workflows.store.models import ListEntry, User

PLANS = {**{name: plan_of(definition) for name, definition in DEFINITIONS.items()}, **EVENT_PLANS}
PDF = b"%PDF-1.4\n% demo evidence\n"
MATTER = "FOOD-BIZ"
SIGNATORY = "王守信"


@dataclass(frozen=True)
class Firm:
    username: str
    base17: str
    name: str
    list_kind: str  # black, red
    department: str


# the story's own enterprises: blacklisted ones object or ask for credit repair, red-listed ones use the green
# channel; codes are made valid by their check digit
FIRMS = [
    Firm("qiye01", "91440400MA4W0A1B2", "珠海海湾物流有限公司", "black", "SCJGJ"),
    Firm("qiye02", "91440400MA4W0A2C3", "珠海南屏建材有限公司", "black", "SCJGJ"),
    Firm("qiye03", "91440400MA4W0A3D4", "珠海金湾食品有限公司", "black", "SWJ"),
    Firm("qiye04", "91440400MA4W0A4E5", "珠海前山装饰工程有限公司", "black", "SCJGJ"),
    Firm("qiye05", "91440400MA4W0A5F6", "珠海斗门农业发展有限公司", "black", "SWJ"),
    Firm("qiye06", "91440400MA4W0A6G7", "珠海香洲电子商务有限公司", "black", "SCJGJ"),
    Firm("qiye07", "91440400MA4W0A7H8", "珠海横琴文化传媒有限公司", "black", "SWJ"),
    Firm("qiye08", "91440400MA4W0A8J9", "珠海唐家湾餐饮有限公司", "red", "SWJ"),
    Firm("qiye09", "91440400MA4W0A9K1", "珠海高新软件有限公司", "red", "SWJ"),
    Firm("qiye10", "91440400MA4W0B1L2", "珠海万山海洋科技有限公司", "red", "SWJ"),
    Firm("qiye11", "91440400MA4W0B2M3", "珠海白藤制衣有限公司", "red", "SCJGJ"),
    Firm("qiye12", "91440400MA4W0B3N4", "珠海井岸五金有限公司", "black", "SCJGJ"),
    Firm("qiye13", "91440400MA4W0B4P5", "珠海拱北贸易有限公司", "red", "SWJ"),
    Firm("qiye14", "91440400MA4W0B5Q6", "珠海吉大酒店管理有限公司", "black", "SCJGJ"),
    Firm("qiye15", "91440400MA4W0B6R7", "珠海湾仔水产有限公司", "black", "SWJ"),
    Firm("qiye16", "91440400MA4W0B7T8", "珠海三灶机械有限公司", "black", "SCJGJ"),
    Firm("qiye17", "91440400MA4W0B8U9", "珠海红旗印务有限公司", "black", "SWJ"),
    Firm("qiye18", "91440400MA4W0B9W1", "珠海平沙生物科技有限公司", "red", "SWJ"),
    Firm("qiye19", "91440400MA4W0C1X2", "珠海莲洲茶业有限公司", "red", "SWJ"),
    Firm("qiye20", "91440400MA4W0C2Y3", "珠海乾务包装有限公司", "red", "SWJ"),
    Firm("qiye21", "91440400MA4W0C3A4", "珠海南水化工有限公司", "red", "SWJ"),
    Firm("qiye22", "91440400MA4W0C4B5", "珠海洪湾港务有限公司", "red", "SWJ"),
    Firm("qiye23", "91440400MA4W0C5C6", "珠海新青科技有限公司", "red", "SWJ"),
]
BLACK_MEASURES = {"SCJGJ": ["P-PROC", "P-LICENSE"], "SWJ": ["P-PROC", "P-FIN"]}
RED_MEASURES = ["I-GREEN", "I-INSPECT"]
GROUNDS = "列入依据的行政处罚决定已被复议机关撤销（珠府复〔2026〕17号），请予核实并移出名单。"
RECTIFICATION = "已补报2023至2025年度年度报告，缴清全部罚款，并完成信用修复培训。"


class Story:
    def __init__(self, session: Session, today: date):
        self.session, self.today = session, today
        self.start = today - timedelta(days=30)

    # --- the product's clock and the worker -------------------------------------------------------------

    def on(self, day: int, hour: int = 10):
        """The product's clock on the story's `day` (0: a month ago)."""
        return clock.travel(clock.at(self.start + timedelta(days=day), hour), tick=False)

    def carry_out(self) -> None:
        """The steps every pending event plans, as the worker carries them out (deliveries stay owed)."""
        while True:
            events = self.session.scalars(select(OutboxEvent).where(
                OutboxEvent.status == "pending", OutboxEvent.process != delivery_queue.PROCESS)
                .order_by(OutboxEvent.id)).all()
            if not events:
                return
            for event in events:
                case = self.session.get(Case, event.case_id) if event.case_id else None
                for name in PLANS.get(event.process, {}).get(event.kind, []):
                    STEPS[name](self.session, event, case)
                event.status, event.processed_at, event.attempts = "done", utcnow(), 1
            self.session.flush()

    # --- who does what --------------------------------------------------------------------------------

    def actor(self, username: str) -> Actor:
        return actor_for(self.session.scalar(select(User).where(User.username == username)))

    def file(self, day: int, username: str, process: str, **params) -> int:
        with self.on(day):
            case = file_case(self.session, process, self.actor(username), params)
            self.session.flush()
            case_id = case.id
            self.carry_out()
        return case_id

    def act(self, day: int, case_id: int, action: str, username: str, **params) -> None:
        with self.on(day, hour=15):
            take_action(self.session, case_id, action, self.actor(username), params)
            self.carry_out()

    def attach(self, day: int, case_id: int, username: str, upload_dir, name: str = "证明材料.pdf") -> None:
        with self.on(day, hour=11):
            evidence.store(self.session, self.session.get(Case, case_id), [evidence.Upload(name, PDF)],
                           self.actor(username), upload_dir, 10**6)

    def entry_of(self, username: str, list_kind: str = "black") -> int:
        return self.session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id).where(
            User.username == username, ListEntry.list_kind == list_kind).order_by(ListEntry.id))

    def deferrable(self) -> list[int]:
        matter = self.session.scalar(select(LicenceMatter).where(LicenceMatter.code == MATTER))
        return [m.id for m in matter.materials if not m.core][:1]


def seed_story(session: Session, config: Config, *, today: date | None = None) -> dict[str, list[int]]:
    """The story's firms, listings and cases; returns the case ids by process and state, for the tests."""
    flow_runtime.configure(config)
    story = Story(session, today or clock.today())
    actor = Actor.system("demo")
    year = timedelta(days=365)
    hashed = accounts.hash_password(DEMO_PASSWORD)
    with story.on(-200):
        for firm in FIRMS:
            code = enterprise_code(firm.base17)
            measures = BLACK_MEASURES[firm.department] if firm.list_kind == "black" else RED_MEASURES
            listings.record_listing(session, listings.ListingRequest(
                code, firm.name, firm.list_kind, firm.department,
                "《企业信息公示暂行条例》第十七条" if firm.list_kind == "black" else "纳税信用A级纳税人名单（2025年度）",
                f"珠信〔2026〕{FIRMS.index(firm) + 101}号", story.start - timedelta(days=200),
                story.start + 2 * year, measures, "market_regulation" if firm.department == "SCJGJ" else "tax_credit",
                "信用中国（珠海）网站"), actor)
            register_subject(session, code=code, name=firm.name)
            accounts.create_user(session, username=firm.username, password=DEMO_PASSWORD, roles=["applicant"],
                                 actor=actor, subject_code=code, display_name=firm.name,
                                 email=f"{firm.username}@example.com", hashed=hashed)
        story.carry_out()
    cases: dict[str, list[int]] = {}

    def note(process: str, state: str, case_id: int) -> int:
        cases.setdefault(f"{process}.{state}", []).append(case_id)
        return case_id

    _objections(story, note)
    _repairs(story, note, config)
    _green(story, note)
    _removals(story, note, config.upload_dir)
    with clock.travel(clock.at(story.today, 9), tick=False):  # what came due meanwhile: overdue cases, a breach
        sweep.sweep(session)
        story.carry_out()
    _urge(story, cases)
    with story.on(29, hour=16):  # a sign-up for a subject already on record: its claim waits for the office
        accounts.sign_up_applicant(session, code=ENTERPRISE_RED_2, name="珠海诚信建设工程有限公司", username="chengxin",
                                   password=DEMO_PASSWORD, email="chengxin@example.com", phone="13700137000")
    return cases


def _objections(story: Story, note) -> None:
    objection = "objection"
    # waiting at the accepting office: filed yesterday, and one filed weeks ago and never reviewed (overdue)
    note(objection, "submitted", story.file(29, "qiye01", objection, list_entry_id=story.entry_of("qiye01"),
                                            grounds=GROUNDS))
    note(objection, "submitted", story.file(2, "qiye02", objection, list_entry_id=story.entry_of("qiye02"),
                                            grounds=GROUNDS))
    # the office asked the person for more
    case = story.file(18, "person", objection, list_entry_id=story.entry_of("person"), grounds=GROUNDS)
    story.act(20, case, "request_supplement", "office", reason="请补充复议决定书的完整扫描件。")
    note(objection, "awaiting_supplement", case)
    # accepted long ago, waiting on the information provider's verification: overdue, urged below
    case = story.file(1, "applicant", objection, list_entry_id=story.entry_of("applicant"), grounds=GROUNDS)
    story.act(3, case, "accept", "office")
    note(objection, "verifying", case)
    # concluded: the listing was wrong and is revoked
    case = story.file(4, "qiye03", objection, list_entry_id=story.entry_of("qiye03"), grounds=GROUNDS)
    story.act(5, case, "accept", "office")
    story.act(12, case, "revoke", "tax", reason="经核实，列入所依据的处罚决定已被撤销，列入错误，予以撤销。")
    note(objection, "revoked", case)
    # refused, and withdrawn
    case = story.file(8, "qiye04", objection, list_entry_id=story.entry_of("qiye04"), grounds="我公司认为处罚过重。")
    story.act(9, case, "refuse", "office", reason="异议理由不属于信息错误、遗漏或超期公示的情形。")
    note(objection, "refused", case)
    case = story.file(10, "qiye05", objection, list_entry_id=story.entry_of("qiye05"), grounds=GROUNDS)
    story.act(11, case, "withdraw", "qiye05")
    note(objection, "withdrawn", case)


def _repairs(story: Story, note, config: Config) -> None:
    repair = "repair_exit"
    # a draft the applicant has not submitted yet
    note(repair, "draft", story.file(27, "qiye06", repair, list_entry_id=story.entry_of("qiye06"),
                                     rectification=RECTIFICATION))
    # submitted, waiting on the office
    case = story.file(24, "qiye07", repair, list_entry_id=story.entry_of("qiye07"), rectification=RECTIFICATION)
    story.attach(24, case, "qiye07", config.upload_dir)
    story.act(24, case, "submit", "qiye07", commitment_signed=True)
    note(repair, "submitted", case)
    # under review by the listing department, and one it denied
    case = story.file(6, "qiye12", repair, list_entry_id=story.entry_of("qiye12"), rectification=RECTIFICATION)
    story.attach(6, case, "qiye12", config.upload_dir)
    story.act(6, case, "submit", "qiye12", commitment_signed=True)
    story.act(7, case, "accept", "office")
    note(repair, "under_review", case)
    # the revoked objection's firm is off the list; qiye04's objection was refused: it asks for repair instead
    case = story.file(14, "qiye04", repair, list_entry_id=story.entry_of("qiye04"), rectification=RECTIFICATION)
    story.attach(14, case, "qiye04", config.upload_dir)
    story.act(14, case, "submit", "qiye04", commitment_signed=True)
    story.act(15, case, "accept", "office")
    story.act(22, case, "deny", "provider", reason="罚款尚未缴清，不符合信用修复条件。")
    note(repair, "denied", case)
    # granted: the firm left the blacklist early (and went on the key-attention list)
    case = submitted(story, 3, "qiye14", config)
    story.act(4, case, "accept", "office")
    story.act(9, case, "approve", "provider", key_attention_months=12)
    note(repair, "approved", case)
    # the office asked for more; refused; withdrawn
    case = submitted(story, 21, "qiye15", config)
    story.act(23, case, "request_supplement", "office", reason="请提供罚款缴纳凭证原件扫描件。")
    note(repair, "awaiting_supplement", case)
    case = submitted(story, 10, "qiye16", config)
    story.act(11, case, "refuse", "office", reason="申请材料与列入事由无关。")
    note(repair, "refused", case)
    case = submitted(story, 13, "qiye17", config)
    story.act(16, case, "withdraw", "qiye17")
    note(repair, "withdrawn", case)


def submitted(story: Story, day: int, username: str, config: Config) -> int:
    case = story.file(day, username, "repair_exit", list_entry_id=story.entry_of(username),
                      rectification=RECTIFICATION)
    story.attach(day, case, username, config.upload_dir)
    story.act(day, case, "submit", username, commitment_signed=True)
    return case


def _green(story: Story, note) -> None:
    green = "conditional_acceptance"

    def filed(day: int, username: str) -> int:
        return story.file(day, username, green, matter=MATTER, missing=story.deferrable(), signed=True,
                          signatory=SIGNATORY)

    note(green, "submitted", filed(28, "qiye11"))
    # accepted with a commitment: materials owed (redco), and one whose deadline passed (breached at the sweep)
    case = filed(16, "redco")
    story.act(17, case, "accept_with_commitment", "licensing")
    note(green, "awaiting_materials", case)
    case = filed(2, "qiye08")
    story.act(3, case, "accept_with_commitment", "licensing")
    note(green, "commitment_breached", case)
    # all materials in, granted and published
    case = filed(5, "qiye09")
    story.act(6, case, "accept_with_commitment", "licensing")
    item = story.deferrable()[0]
    story.act(9, case, "submit_materials", "qiye09", files=["平面图.pdf"], item=item, note="平面图已补交")
    story.act(10, case, "verify_materials", "licensing", item=item, result="verified")
    story.act(11, case, "grant", "licensing", licence_no="JY14404000019876")
    note(green, "granted", case)
    case = filed(12, "qiye10")
    story.act(13, case, "refuse", "licensing", reason="申请事项不属于容缺受理范围。")
    note(green, "refused", case)
    # all materials in: the licensing window's decision is due; a licence refused after the materials
    for day, username, state in ((20, "qiye18", "materials_complete"), (7, "qiye19", "licence_refused")):
        case = filed(day, username)
        story.act(day + 1, case, "accept_with_commitment", "licensing")
        story.act(day + 3, case, "submit_materials", username, files=["平面图.pdf"], item=item, note="平面图已补交")
        story.act(day + 4, case, "verify_materials", "licensing", item=item, result="verified")
        if state == "licence_refused":
            story.act(day + 6, case, "refuse_licence", "licensing", reason="现场核查经营场所不符合条件。")
        note(green, state, case)
    case = filed(15, "qiye20")
    story.act(16, case, "withdraw", "qiye20")
    note(green, "withdrawn", case)


def _removals(story: Story, note, upload_dir) -> None:
    """A red-listed firm blacklisted by the court: its red-list entry is removed (the process opens itself)."""
    with story.on(19):
        listings.record_listing(story.session, listings.ListingRequest(
            enterprise_code(FIRMS[12].base17), FIRMS[12].name, "black", "FY",
            "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", "（2026）粤04执2031号",
            story.start + timedelta(days=19), story.start + timedelta(days=19 + 730), ["P-FIN"], "court_enforcement",
            "信用中国（珠海）网站"), Actor.system("demo"))
        story.carry_out()
    # a department reports an abuse of the incentives: one waits for the listing department, one was dismissed
    for day, username, decision in ((25, "qiye21", None), (8, "qiye22", "dismiss")):
        with story.on(day):
            case = removal.open_removal(story.session, story.session.get(ListEntry, story.entry_of(username, "red")),
                                        "abuse", actor=story.actor("implementer"),
                                        reason="该企业将政府采购优先资格转借他人使用。",
                                        evidence=[evidence.Upload("举报材料.pdf", PDF)], upload_dir=upload_dir)
            story.carry_out()
        if decision:
            story.act(day + 5, case.id, decision, "tax", reason="举报事项查无实据。")
    # an abuse report overtaken by a blacklisting: the report's case is superseded by the removal it causes
    with story.on(12):
        removal.open_removal(story.session, story.session.get(ListEntry, story.entry_of("qiye23", "red")), "abuse",
                             actor=story.actor("implementer"), reason="该企业虚构政府采购业绩。",
                             evidence=[evidence.Upload("举报材料.pdf", PDF)], upload_dir=upload_dir)
        story.carry_out()
    with story.on(14):
        listings.record_listing(story.session, listings.ListingRequest(
            enterprise_code(FIRMS[22].base17), FIRMS[22].name, "black", "FY",
            "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", "（2026）粤04执1877号",
            story.start + timedelta(days=14), story.start + timedelta(days=14 + 730), ["P-FIN"], "court_enforcement",
            "信用中国（珠海）网站"), Actor.system("demo"))
        story.carry_out()
    # the blacklisted firm objects to the court's listing: the court verifies it
    case = story.file(21, FIRMS[12].username, "objection", list_entry_id=story.entry_of(FIRMS[12].username),
                      grounds="本企业不是该案被执行人，系信息归集错误。")
    story.act(22, case, "accept", "office")
    note("objection", "verifying", case)
    for case_id in story.session.scalars(select(Case.id).where(Case.process == "redlist_removal")):
        note("redlist_removal", story.session.get(Case, case_id).state, case_id)


def _urge(story: Story, cases: dict[str, list[int]]) -> None:
    """The supervisor urges the listing department late with its decision on a credit repair."""
    late = cases["repair_exit.under_review"]  # at the market regulation bureau, overdue
    with clock.travel(clock.at(story.today, 9, 30), tick=False):
        urging.urge(story.session, late, story.actor("supervisor"), "该信用修复申请已超过办理时限，请尽快作出决定。",
                    department_code="SCJGJ")
        story.carry_out()
