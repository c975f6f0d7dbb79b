"""A written decision in Chromium: the office refuses an objection on its page; the applicant downloads the
numbered decision not to accept as PDF and reads its Chinese text, with the statement of rights."""
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.browser import log_in

GROUNDS = "该黑名单所依据的行政处罚决定已于2026年3月被复议机关撤销，请予核实。"


@pytest.mark.browser
def test_the_applicant_downloads_the_decision_not_to_accept_as_pdf(page, world):
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    case_url = f"{page.base_url}/cases/{case_id}"
    page.on("dialog", lambda dialog: dialog.accept())  # a final decision asks for confirmation
    log_in(page, "office")
    page.goto(case_url)
    page.fill("#action-refuse textarea[name=reason]", "所涉记录不属于本市公共信用信息，不属于异议受理范围。")
    with page.expect_navigation():
        page.locator("#action-refuse button[type=submit]").click()

    page.context.clear_cookies()
    log_in(page, "applicant")
    page.goto(case_url)
    listed = page.inner_text(".case-documents")
    assert "不予受理决定书" in listed and "〔" in listed
    with page.expect_download() as caught:
        page.locator(".case-documents a[download]").first.click()
    download = caught.value
    assert download.suggested_filename.endswith(".pdf") and "不予受理决定书" in download.suggested_filename
    reader = PdfReader(BytesIO(Path(download.path()).read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    number = listed.split("不予受理决定书", 1)[1].split()[0]
    assert "不予受理决定书" in text and number in text
    assert "不属于异议受理范围" in text and "申请行政复议" in text and "提起行政诉讼" in text
