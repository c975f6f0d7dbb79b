"""Credit repair end to end in Chromium: the applicant files with proof and signs, the office accepts, the
listing department approves; the applicant then sees its key-attention entry, and the public the exit."""
import pytest

from tests.e2e.browser import log_in, screenshot

pytestmark = pytest.mark.prefect  # the real flows under Prefect's test harness

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit(page, selector):
    with page.expect_navigation():
        page.locator(selector).click()


def as_user(page, username):
    page.context.clear_cookies()
    log_in(page, username)


@pytest.mark.browser
def test_repair_filed_accepted_approved_then_key_attention_and_announcement(page, world, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the pages are the same on both databases; the flow tests prove PostgreSQL")
    as_user(page, "applicant")
    page.goto(page.base_url + "/cases/new/repair_exit")
    assert "信用修复承诺书" in page.inner_text("main")
    page.select_option("select[name=list_entry_id]", index=0)
    page.fill("textarea[name=rectification]", "已补报2023至2025年度年度报告并在公示系统公示，罚款已全部缴清。")
    page.set_input_files("input[name=files]", files=[{"name": "缴款凭证.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF}])
    page.check("input[name=commitment_signed]")
    submit(page, "form.repair-form button[type=submit]")
    assert "/cases/" in page.url and "缴款凭证.pdf" in page.inner_text("main"), page.inner_text("main")[:1500]
    case_url = page.url
    world.drain()

    as_user(page, "office")
    page.goto(case_url)
    submit(page, "#action-accept button[type=submit]")
    assert page.locator("svg .state.current[data-state=under_review]").count() == 1
    world.drain()

    as_user(page, "provider")
    page.goto(case_url)
    page.fill("#action-approve input[name=key_attention_months]", "12")
    submit(page, "#action-approve button[type=submit]")
    assert page.locator("svg .state.current[data-state=approved]").count() == 1, page.inner_text("main")[:1500]
    world.drain()

    as_user(page, "applicant")
    page.goto(page.base_url + "/")
    page.locator("nav.mainnav a[href^='/subjects/']").click()
    page.wait_for_load_state()
    restricted = page.locator("article.entry-key-attention")
    assert restricted.count() == 1 and "移出黑名单后列入重点关注名单" in restricted.inner_text()
    assert page.locator("article.entry-black").count() == 1
    screenshot(page, "repair-subject-page.png")

    page.context.clear_cookies()
    page.goto(page.base_url + "/public/announcements")
    text = page.inner_text("main")
    assert "失信联合惩戒对象移出公告（珠海示例科技有限公司）" in text and "移出黑名单后列入重点关注名单" not in text
    screenshot(page, "announcements.png")
