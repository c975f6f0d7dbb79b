"""The demo data set: departments, a user of every role, subjects on every list, measures.

Everything goes through the same services as real input, so the demo obeys the rules.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from workflows import clock
from workflows.domain.process import Actor
from workflows.services.admin import accounts
from workflows.services.lists import listings
from workflows.services.lists.subjects import register_subject
from workflows.services.processes import licence_matters
from workflows.store.models import Department, MeasureCatalogueItem, User

DEMO_PASSWORD = "demo-pass-2026"


def enterprise_code(base17: str) -> str:
    return base17 + uscc.calc_check_digit(base17 + "0")


def person_code(base17: str) -> str:
    return base17 + ric.calc_check_digit(base17 + "0")


DEPARTMENTS = [
    ("XYB", "市信用办", "Municipal Credit Office"),
    ("SCJGJ", "市市场监督管理局", "Market Regulation Bureau"),
    ("SWJ", "市税务局", "Tax Bureau"),
    ("FY", "市中级人民法院", "Intermediate People's Court"),
    ("FGW", "市发展和改革局", "Development and Reform Bureau"),
    ("CZJ", "市财政局", "Finance Bureau"),
    ("RMYH", "人民银行市分行", "People's Bank branch"),
    ("ZJJ", "市住房和城乡建设局", "Housing and Construction Bureau"),
]

# code, name, name_en, effect, obligation, implementing department
CATALOGUE = [
    ("P-PROC", "限制参与政府采购活动", "Barred from government procurement", "punishment", "mandatory", "CZJ"),
    ("P-SUBSIDY", "限制申请财政性资金项目", "Barred from fiscal funding schemes", "punishment", "mandatory", "FGW"),
    ("P-FIN", "融资授信从严审核", "Strict review of financing and credit", "punishment", "recommended", "RMYH"),
    ("P-LICENSE", "从严审核行政许可申请", "Strict review of licence applications", "punishment", "mandatory", "SCJGJ"),
    ("P-BID", "限制参与工程招投标", "Barred from construction tenders", "punishment", "mandatory", "ZJJ"),
    ("P-INSPECT", "列为重点监管对象，提高检查频次", "Closer supervision, more frequent inspections", "punishment", "recommended", "SCJGJ"),
    ("I-GREEN", "行政审批绿色通道和容缺受理", "Green channel and conditional acceptance", "incentive", "recommended", "SCJGJ"),
    ("I-INSPECT", "减少日常检查频次", "Fewer routine inspections", "incentive", "recommended", "SCJGJ"),
    ("I-PROC", "政府采购中予以优先考虑", "Preference in government procurement", "incentive", "recommended", "CZJ"),
    ("I-FIN", "融资授信给予优惠", "Favourable financing terms", "incentive", "recommended", "RMYH"),
]

# username, roles, department, subject code, display name
ENTERPRISE_BLACK = enterprise_code("91440400MA4UH8XQ7")
ENTERPRISE_RED = enterprise_code("91350500MA2XN3KP0")
ENTERPRISE_KEY = enterprise_code("91440402MA51R2C9X")
ENTERPRISE_RED_2 = enterprise_code("91440400737581245")
PERSON_BLACK = person_code("11010519850312441")

USERS = [
    ("admin", ["administrator"], None, None, "系统管理员"),
    ("office", ["accepting_office"], "XYB", None, "信用办受理窗口"),
    ("supervisor", ["supervisor"], "XYB", None, "信用办督办科"),
    ("provider", ["information_provider", "listing_department"], "SCJGJ", None, "市场监管局信用科"),
    ("tax", ["information_provider", "listing_department"], "SWJ", None, "税务局纳税服务科"),
    ("court", ["information_provider", "listing_department"], "FY", None, "中院执行局"),
    ("implementer", ["implementing_department"], "CZJ", None, "财政局采购办"),
    ("bank", ["implementing_department"], "RMYH", None, "人民银行征信管理处"),
    ("licensing", ["implementing_department"], "SCJGJ", None, "市场监管局行政审批窗口"),
    ("reform", ["implementing_department"], "FGW", None, "发展改革局财金科"),
    ("housing", ["implementing_department"], "ZJJ", None, "住建局建筑市场科"),
    ("applicant", ["applicant"], None, ENTERPRISE_BLACK, "珠海示例科技有限公司"),
    ("redco", ["applicant"], None, ENTERPRISE_RED, "泉州守信制造有限公司"),
    ("person", ["applicant"], None, PERSON_BLACK, "李明"),
]


def _listings(today: date) -> list[listings.ListingRequest]:
    year = timedelta(days=365)
    return [
        listings.ListingRequest(ENTERPRISE_BLACK, "珠海示例科技有限公司", "black", "SCJGJ",
                                "《企业信息公示暂行条例》第十七条：被列入经营异常名录届满3年仍未履行公示义务",
                                "珠市监信〔2026〕12号", today - year, today + 2 * year,
                                ["P-PROC", "P-SUBSIDY", "P-FIN", "P-LICENSE"], "market_regulation", "信用中国（珠海）网站"),
        listings.ListingRequest(PERSON_BLACK, "李明", "black", "FY", "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
                                "（2025）粤04执1234号", today - year // 2, today + 2 * year,
                                ["P-FIN", "P-PROC"], "court_enforcement", "信用中国（珠海）网站"),
        listings.ListingRequest(ENTERPRISE_KEY, "珠海某餐饮管理有限公司", "key_attention", "SCJGJ",
                                "一年内两次食品安全抽检不合格（较重失信行为）", "珠市监食〔2026〕45号", today - year // 4,
                                today + year, ["P-INSPECT"], "food_safety"),
        listings.ListingRequest(ENTERPRISE_RED, "泉州守信制造有限公司", "red", "SWJ", "纳税信用A级纳税人名单（2025年度）",
                                "泉税〔2026〕8号", today - year // 3, today + year, ["I-GREEN", "I-INSPECT", "I-PROC"],
                                "tax_credit", "信用中国（泉州）网站"),
        listings.ListingRequest(ENTERPRISE_RED_2, "珠海诚信建设工程有限公司", "red", "SCJGJ",
                                "守合同重信用企业（2025年度）", "珠市监〔2026〕3号", today - year // 2, today + year // 2,
                                ["I-GREEN", "I-FIN"], "contract_credit", "信用中国（珠海）网站"),
    ]


# the demo's mobile numbers (notices also come by SMS when a gateway is configured): an applicant and the
# department contacts
MOBILES = {"applicant": "13800138001", "person": "13800138002", "redco": "13800138003", "office": "13900139001",
           "provider": "13900139002", "implementer": "13900139003", "licensing": "13900139004", "tax": "13900139005"}


def seed(session: Session, *, only_if_empty: bool = False, today: date | None = None) -> bool:
    if only_if_empty and session.scalar(select(func.count()).select_from(User)):
        return False
    actor = Actor.system("demo")
    today = today or clock.today()
    departments = {}
    for code, name, name_en in DEPARTMENTS:
        departments[code] = Department(code=code, name=name, name_en=name_en, email=f"{code.lower()}@example.gov.cn")
        session.add(departments[code])
    session.flush()
    for code, name, name_en, effect, obligation, dept in CATALOGUE:
        session.add(MeasureCatalogueItem(code=code, name=name, name_en=name_en, effect=effect, obligation=obligation,
                                         department_id=departments[dept].id,
                                         legal_basis="《关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》"))
    session.flush()
    for request in _listings(today):
        listings.record_listing(session, request, actor)
    hashed = accounts.hash_password(DEMO_PASSWORD)  # one hash for every demo account
    for username, roles, dept, subject_code, display in USERS:
        if subject_code:
            register_subject(session, code=subject_code, name=display)
        accounts.create_user(session, username=username, password=DEMO_PASSWORD, roles=roles, actor=actor,
                             department_code=dept, subject_code=subject_code, display_name=display,
                             email=f"{username}@example.gov.cn", phone=MOBILES.get(username, ""), hashed=hashed)
    licence_matters.seed(session, actor)  # the green channel's licence matters catalogue
    return True


def demo_logins() -> list[tuple[str, str]]:
    return [(username, ", ".join(roles)) for username, roles, *_ in USERS]
