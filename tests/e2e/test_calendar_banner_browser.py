"""An administrator sees, from 1 November, that next year's holiday arrangement is missing, and follows the banner
to the import."""
from datetime import date

import pytest

from tests.e2e.browser import log_in, screenshot
from workflows import clock

BANNER = "2098 年节假日安排尚未导入：跨入该年的期限暂不计算。"


@pytest.mark.browser
def test_administrator_sees_the_missing_year_and_follows_the_banner_to_the_import(page, database_url):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    with clock.travel(date(2097, 11, 2)):  # 2098: a year no package will have
        log_in(page, "admin")
        banner = page.get_by_role("region", name="节假日日历")
        assert banner.count() == 1 and BANNER in banner.inner_text()
        if database_url.startswith("sqlite"):
            screenshot(page, "calendar-banner.png", full_page=False)
        with page.expect_navigation():
            banner.get_by_role("link", name="导入").click()
        assert page.url.endswith("/admin/calendar#import")
        assert page.locator("#import input[type=file]").get_attribute("accept").startswith(".json,.csv,.ics")
    with clock.travel(date(2097, 10, 31)):
        page.reload()
        assert page.get_by_role("region", name="节假日日历").count() == 0
    assert problems == []
