"""Each role's main pages at a phone's width (375 px) and a desk's (1,366 px): no page scrolls sideways, and axe-core
finds no serious or critical accessibility violation (WCAG 2.1 AA, the bar of GB/T 37668-2019). Each role's main
pages (SHOWN) are saved as docs/screenshots/<page>-375.png and <page>-1366.png, rewritten on each run.

The pages do not depend on the database: this runs on SQLite only."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import log_in, screenshot
from tests.integration.supervision_fixture import build
from webapp.extensions import db
from workflows.demo import ENTERPRISE_BLACK, enterprise_code
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.services.deliveries import notify
from workflows.store.automation import Announcement

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1366)
# each role's main pages, kept as pictures for the docs (every page is checked; these are also photographed)
SHOWN = frozenset({
    "public-lists", "complaint-form", "signup", "applicant-home", "applicant-objection-form", "applicant-repair-form",
    "applicant-green-commitment", "applicant-objection-case", "applicant-notifications", "office-inbox", "office-case",
    "department-listings", "department-case", "supervisor-dashboard", "admin-home", "admin-settings",
})
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# what is wider than the window, when the page is: the outermost such elements, to name in a failure
WIDEST = """() => {
  const limit = window.innerWidth, found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    const spills = getComputedStyle(element).overflowX === 'visible' && element.scrollWidth > element.clientWidth + 1;
    if ((box.right > limit + 1 || spills) && !found.some(outer => outer.contains(element))) found.push(element);
  }
  return found.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
    ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
}"""

# the page has handled the resize (its handlers run before the next frames)
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v =>
    `${v.id} (${v.impact}): ${v.help}: ` + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '));
}"""


class Pages:
    """Visits pages and collects what is wrong with each, so that one run names every problem."""

    def __init__(self, browser, base_url):
        if not AXE.exists():
            pytest.fail("axe-core is missing: run `make install` (npm ci installs it from package-lock.json)")
        # axe is added to every document by the browser itself, so the page's Content Security Policy stays as served
        self.context = browser.new_context(viewport={"width": WIDTHS[-1], "height": 900}, locale="zh-CN")
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.page.base_url = base_url
        self.problems: list[str] = []

    def check(self, name: str, path: str | None = None, status: int = 200) -> None:
        """Open `path` (or stay on the page shown) and check it at both widths."""
        page = self.page
        if path is not None:
            response = page.goto(page.base_url + path)
            assert response.status == status, f"{name}: {path} answered {response.status}"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(SETTLED)
            scroll_width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if scroll_width > inner:
                self.problems.append(f"{name} at {width} px is {scroll_width} px wide: {page.evaluate(WIDEST)}")
            for violation in page.evaluate(RUN_AXE, RULES):
                self.problems.append(f"{name} at {width} px: {violation}")
            if name in SHOWN:
                screenshot(page, f"{name}-{width}.png")

    def log_in(self, username: str) -> None:
        self.page.context.clear_cookies()
        self.page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
        log_in(self.page, username)

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).click()

    def assert_clean(self) -> None:
        self.context.close()
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def pages(browser, live_server):
    return Pages(browser, live_server)


@pytest.fixture
def cases(seeded):
    """The supervision fixture's objections (one overdue, one closed, one refused, ...) on the demo data, with the
    notices the applicant got for one of them and an announcement."""
    with seeded.app_context():
        ids = build(db.session)
        applicant = find_user(db.session, "applicant")
        notify.notice(db.session, "objection.received", [applicant], key={"event": 1, "to": "applicant"},
                      case_id=ids["A"], case=ids["A"])
        notify.notice(db.session, "objection.result", [applicant], key={"event": 2, "to": "applicant"},
                      case_id=ids["A"], case=ids["A"], result="confirm", reason="经核实，原处罚决定有效。")
        db.session.add(Announcement(kind="exit", list_kind="black", channel="信用中国（珠海）网站",
                                    title="失信联合惩戒对象移出公告（珠海示例科技有限公司）",
                                    body="珠海示例科技有限公司（统一社会信用代码 " + ENTERPRISE_BLACK + "）已完成信用修复，"
                                         "自即日起移出失信联合惩戒对象名单（原认定文书：珠市监信〔2026〕12号）。"))
        db.session.commit()
    return ids


def accept_green_case(app, case_url: str) -> None:
    """The licensing window accepts the green-channel case against its commitment (the materials then follow)."""
    with app.app_context():
        case_service.take_action(db.session, int(case_url.rsplit("/", 1)[1]), "accept_with_commitment",
                                 actor_for(find_user(db.session, "licensing")), {"days": 5})
        db.session.commit()


def test_public_pages_and_signing_up(pages, cases):
    page = pages.page
    for name, path in [("public-lists", "/public/lists"), ("public-lists-found", "/public/lists?q=" + ENTERPRISE_BLACK), ("public-announcements", "/public/announcements"),
                       ("public-licences", "/public/licences"), ("login", "/login")]:
        pages.check(name, path)
        if path.startswith("/public"):
            login = page.locator("header a[href='/login']")
            if login.count() != 1 or login.inner_text().strip() != "登录":
                pages.problems.append(f"{name}: no 登录 link in the header")
    # on a phone the lists' table is one card per row, which scrolls nothing and so takes no keyboard stop
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(page.base_url + "/public/lists?q=" + ENTERPRISE_BLACK)
    assert page.locator("table.public-lists.is-stacked td[data-label='信用主体']").inner_text() == "珠海示例科技有限公司"
    assert page.locator(".table-wrap.has-stack").get_attribute("tabindex") is None
    pages.check("not-found", "/public/no-such-page", status=404)
    pages.check("signup", "/signup")

    # a new applicant claims a subject: the form with its errors, then the home page that waits for the office
    pages.submit("#content form button[type=submit]")
    pages.check("signup-errors")
    page.fill("#code", enterprise_code("91440400MA5C0W002"))
    page.fill("#name", "珠海手机注册示例有限公司")
    page.fill("#username", "phone-signup")
    page.fill("#email", "phone-signup@example.com")
    page.fill("#phone", "13800138000")
    page.fill("#password", "a-long-password")
    page.fill("#confirm", "a-long-password")
    pages.submit("#content form button[type=submit]")
    assert page.locator("h1[data-home]").count() == 1, page.inner_text("main")[:800]
    pages.check("applicant-claim-pending")
    pages.log_in("office")
    pages.check("office-claims-pending", "/admin/claims")  # where the office confirms or refuses it
    assert "珠海手机注册示例有限公司" in page.inner_text("main")
    pages.assert_clean()


def test_applicant_pages(pages, cases, seeded):
    page = pages.page
    pages.log_in("applicant")
    pages.check("applicant-home", "/")
    # the keyboard: the first stop skips to the content, whose first link is the next stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), page.evaluate("document.activeElement.outerHTML")
    # on a phone the menu folds behind its button, which opens it
    page.set_viewport_size({"width": 375, "height": 900})
    toggle = page.locator("nav.mainnav .menu-toggle")
    assert toggle.is_visible() and not page.locator("#mainnav-items").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#mainnav-items a[href='/cases']").is_visible()
    page.set_viewport_size({"width": 1366, "height": 900})
    assert not toggle.is_visible() and page.locator("#mainnav-items").is_visible()
    pages.check("applicant-record", f"/subjects/{ENTERPRISE_BLACK}")
    pages.check("applicant-cases", "/cases")
    pages.check("applicant-objection-form", "/cases/new/objection")
    pages.submit("form:has(textarea[name=grounds]) button[type=submit]")
    pages.check("applicant-objection-errors")
    pages.check("applicant-objection-case", f"/cases/{cases['A']}")
    # the diagram says in words what it shows: the process, where the case is, and each step
    assert page.locator("svg.process-diagram").get_attribute("aria-label") == "“异议申请”办理流程图：案件当前处于“已办结”。"
    assert "受理：由“已提交”到“核查中”" in page.locator("details.diagram-text").text_content()

    pages.check("applicant-repair-form", "/cases/new/repair_exit")  # the commitment it signs, readable on a phone
    page.select_option("select[name=list_entry_id]", index=0)
    page.fill("textarea[name=rectification]", "已补报2023至2025年度年度报告并在公示系统公示，罚款已全部缴清。")
    page.set_input_files("input[name=files]", files=[{"name": "缴款凭证-2026年度补缴罚款的银行回单及税务机关出具的完税证明.pdf",
                                                       "mimeType": "application/pdf", "buffer": PDF}])
    page.check("input[name=commitment_signed]")
    pages.submit("form.repair-form button[type=submit]")
    assert "/cases/" in page.url, page.inner_text("main")[:1500]
    pages.check("applicant-repair-case")
    pages.check("applicant-notifications", "/notifications")

    pages.log_in("redco")
    pages.check("complaint-form", f"/complaints/new?subject_code={ENTERPRISE_BLACK}")  # anyone's complaint
    pages.check("applicant-green", "/green")
    pages.check("applicant-green-apply", "/green/apply/FOOD-BIZ")
    page.locator("input[name=missing]").first.check()
    pages.submit("form[method=get] button[type=submit]")
    pages.check("applicant-green-commitment")  # uploads and signing
    page.set_input_files("input[name=file_1]", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    page.set_input_files("input[name=file_2]", files=[{"name": "法定代表人身份证.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    for other in page.locator("input[type=file][name^=file_]").all()[2:]:  # each material supplied with its file
        other.set_input_files(files=[{"name": f"{other.get_attribute('name')}.pdf", "mimeType": "application/pdf",
                                      "buffer": PDF}])
    page.fill("input[name=signatory]", "王守信")
    page.check("input[name=signed]")
    pages.submit("form[enctype='multipart/form-data'] button[type=submit]")
    assert "/cases/" in page.url, page.inner_text("main")[:1000]
    pages.check("applicant-green-case")
    accept_green_case(seeded, page.url)
    page.reload()
    assert page.locator("#materials input[type=file]").count() >= 1, page.inner_text("main")[:1500]
    pages.check("applicant-green-materials")  # the material that follows, uploaded from the case page
    pages.submit("#materials a[href$='/notice']")
    pages.check("applicant-green-notice")
    pages.check("applicant-overdue-case", f"/cases/{cases['C']}")
    pages.submit("button.lang-btn[lang=en]")  # the same pages in English
    pages.check("applicant-case-en")
    pages.check("applicant-home-en", "/")
    pages.assert_clean()


def test_office_and_department_pages(pages, cases):
    pages.log_in("office")
    pages.check("office-home", "/")
    pages.check("office-inbox", "/inbox")
    pages.check("office-cases", "/cases")
    pages.check("office-case", f"/cases/{cases['B']}")
    pages.check("office-claims", "/admin/claims")

    pages.log_in("tax")
    pages.check("department-case", f"/cases/{cases['C']}")
    pages.check("department-listings", "/listings")
    pages.check("department-listing-form", "/listings/new")
    pages.submit("main form button[type=submit]")
    pages.check("department-listing-errors")  # each error beside its field, the fields marked invalid
    pages.check("department-abuse-report", "/red-list/abuse-report")
    pages.check("department-reevaluation", "/red-list/re-evaluation")
    pages.check("department-deadlines", "/supervision/department")
    pages.check("department-import", "/listings/import")
    pages.check("password-form", "/account/password")

    pages.log_in("implementer")
    pages.check("implementer-webhooks", "/webhooks")
    pages.check("implementer-subject", f"/subjects/{ENTERPRISE_BLACK}")
    pages.submit("a[href*='/findings/new/']")  # a record whose measure it applies may be wrong
    pages.check("department-finding-form")
    pages.assert_clean()


def test_supervisor_and_admin_pages(pages, cases):
    pages.log_in("supervisor")
    pages.check("supervisor-dashboard", "/supervision/?start=2026-10-01&end=2026-10-31")
    pages.check("supervisor-urgings", "/supervision/urgings")
    pages.check("supervisor-reports", "/supervision/reports")
    pages.check("supervisor-report", "/supervision/reports/period?start=2026-10-01&end=2026-10-31")
    pages.check("supervisor-deliveries", "/deliveries")

    pages.log_in("admin")
    page = pages.page
    page.goto(page.base_url + "/admin/users")  # a table that scrolls in its box on a phone takes a keyboard stop
    page.set_viewport_size({"width": 375, "height": 900})
    page.evaluate(SETTLED)
    assert page.locator(".table-wrap").first.get_attribute("tabindex") == "0"
    for name, path in [("admin-home", "/"), ("admin-users", "/admin/users"), ("admin-user-form", "/admin/users/new"),
                       ("admin-departments", "/admin/departments"), ("admin-measures", "/admin/measures"),
                       ("admin-settings", "/admin/settings"), ("admin-calendar", "/admin/calendar"),
                       ("admin-licence-matters", "/admin/licence-matters"),
                       ("admin-licence-matter-form", "/admin/licence-matters/new"),
                       ("admin-department-form", "/admin/departments/new"),
                       ("admin-measure-form", "/admin/measures/new"), ("admin-supervision-head", "/supervision/head"),
                       ("admin-department-edit", "/admin/departments/1"), ("admin-password-reset", "/admin/users/2/password")]:
        pages.check(name, path)
    if not page_menu_fits(pages.page):
        pages.problems.append("the administrator's menu is cut off at 1,366 px")
    pages.assert_clean()


def page_menu_fits(page) -> bool:
    """Every item of the main menu lies inside the window at 1,366 px (none hidden in a sideways scroll)."""
    page.set_viewport_size({"width": 1366, "height": 900})
    return page.evaluate("""() => [...document.querySelectorAll('nav.mainnav li')].every(li => {
      const box = li.getBoundingClientRect(); return box.right <= window.innerWidth && box.width > 0; })""")

