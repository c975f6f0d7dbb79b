"""A person's objection, end to end in Chromium: filed with evidence, accepted, revoked; the applicant sees it."""
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
def test_objection_filed_accepted_and_revoked(page, world, database_url):
    shots = database_url.startswith("sqlite")
    page.on("dialog", lambda dialog: dialog.accept())  # "revoke cannot be undone. Continue?"
    as_user(page, "applicant")
    page.goto(page.base_url + "/cases/new/objection")
    page.select_option("select[name=list_entry_id]", index=0)
    page.fill("textarea[name=grounds]", "该黑名单所依据的行政处罚决定已于2026年3月被复议机关撤销，请予核实。")
    page.fill("input[name=contact_name]", "王经理")
    page.fill("input[name=contact_phone]", "0756-1234567")
    page.set_input_files("input[name=files]", files=[{"name": "复议决定书.pdf", "mimeType": "application/pdf",
                                                       "buffer": PDF}])
    submit(page, "form:has(textarea[name=grounds]) button[type=submit]")
    assert "/cases/" in page.url and "复议决定书.pdf" in page.inner_text("main")
    case_url = page.url
    world.drain()

    as_user(page, "office")
    page.goto(page.base_url + "/inbox")
    assert page.locator(f"a[href$='{case_url.split(page.base_url)[1]}']").count() >= 1
    if shots:
        screenshot(page, "inbox.png")
    page.goto(case_url)
    submit(page, "#action-accept button[type=submit]")
    assert page.locator("svg .state.current[data-state=verifying]").count() == 1
    world.drain()

    as_user(page, "provider")
    page.goto(case_url)
    page.fill("#action-revoke textarea[name=reason]", "经核实，系误将他企业的处罚信息归集至该企业，予以撤销。")
    submit(page, "#action-revoke button[type=submit]")
    assert page.locator("svg .state.current[data-state=concluded]").count() == 1, page.inner_text("main")[:1500]
    world.drain()

    as_user(page, "applicant")
    page.goto(case_url)
    text = page.inner_text("main")
    assert page.locator("svg .state.current[data-state=closed]").count() == 1
    # an erroneous listing is purged: the history keeps the steps, its texts are redacted (ADR 0006)
    assert "误将他企业的处罚信息" not in text and "已办结" in text
    if shots:
        screenshot(page, "case-page.png")
    page.goto(page.base_url + "/notifications")
    assert "已撤销" in page.inner_text("main")
