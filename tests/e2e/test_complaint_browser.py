"""A complaint about a public record, end to end in Chromium: someone finds the entry on the public lists, complains
with evidence, the office accepts it, the provider corrects the record; the complainant reads the outcome and the
subject the result of the verification."""
import pytest

from tests.e2e.browser import log_in
from workflows.demo import ENTERPRISE_BLACK

pytestmark = pytest.mark.prefect  # the real flows under Prefect's test harness

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit(page, selector):
    with page.expect_navigation():
        page.locator(selector).click()


def as_user(page, username):
    page.context.clear_cookies()
    log_in(page, username)


@pytest.mark.browser
def test_a_complaint_filed_from_the_public_lists_accepted_and_corrected(page, world):
    as_user(page, "redco")
    page.goto(page.base_url + f"/public/lists?q={ENTERPRISE_BLACK}")
    with page.expect_navigation():
        page.locator("a.complain").first.click()
    assert page.input_value("input[name=subject_code]") == ENTERPRISE_BLACK
    assert "重点关注" not in page.inner_text("select[name=list_entry_id]")
    page.fill("textarea[name=grounds]", "该企业已于2026年10月补报年度报告并移出经营异常名录，黑名单公示依据已不存在。")
    page.set_input_files("input[name=files]", files=[{"name": "移出决定书.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF}])
    submit(page, "form.complaint-form button[type=submit]")
    assert "/cases/" in page.url and "移出决定书.pdf" in page.inner_text("main")
    case_url = page.url
    world.drain()

    as_user(page, "office")
    page.goto(case_url)
    submit(page, "#action-accept button[type=submit]")
    assert page.locator("svg .state.current[data-state=verifying]").count() == 1
    world.drain()

    as_user(page, "provider")
    page.goto(case_url)
    page.fill("#action-correct textarea[name=correction]", "经核实，该企业已移出经营异常名录，列入依据不再成立，终止惩戒措施。")
    page.select_option("#action-correct select[name=measures]", "stop")
    submit(page, "#action-correct button[type=submit]")
    assert page.locator("svg .state.current[data-state=concluded]").count() == 1, page.inner_text("main")[:1500]
    world.drain()

    as_user(page, "redco")
    page.goto(page.base_url + "/notifications")
    told = page.inner_text("main")
    assert "投诉已受理" in told and "投诉办理结果" in told and "已更正" in told
    page.goto(case_url)
    assert page.locator("svg .state.current[data-state=closed]").count() == 1

    as_user(page, "applicant")
    page.goto(page.base_url + "/notifications")
    told = page.inner_text("main")
    assert "您的信用记录正在核实" in told and "信用记录核实结果" in told
