"""A red-list enterprise is blacklisted by a department on the listing page: in the same moment its red-list
entry leaves the public list, and the enterprise sees its entry exited and every incentive stopped."""
from datetime import timedelta

import pytest

from tests.e2e.browser import log_in, screenshot
from workflows.demo import ENTERPRISE_RED
from workflows import clock

NAME = "泉州守信制造有限公司"
DOCUMENT = "（2026）闽05执88号"


def public_rows(page, q: str) -> str:
    page.goto(f"{page.base_url}/public/lists?q={q}")  # a page seen once may come from the browser's cache
    table = page.locator("table.public-lists")
    return table.inner_text() if table.count() else ""


@pytest.mark.browser
def test_blacklisting_a_red_list_enterprise_removes_its_red_entry_and_stops_its_incentives(page, database_url):
    assert "泉税〔2026〕8号" in public_rows(page, ENTERPRISE_RED)  # on the red list, in public

    log_in(page, "court")
    page.goto(page.base_url + "/listings/new")
    page.fill("#subject_code", ENTERPRISE_RED)
    page.fill("#subject_name", NAME)
    page.select_option("#list_kind", "black")
    page.fill("#basis", "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条：有履行能力而拒不履行生效法律文书确定义务")
    page.fill("#document_no", DOCUMENT)
    page.fill("#listed_on", clock.today().isoformat())
    page.fill("#valid_until", (clock.today() + timedelta(days=730)).isoformat())
    page.check("input[name=measures][value=P-PROC]")
    page.fill("#published_channel", "信用中国（泉州）网站")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert f"/subjects/{ENTERPRISE_RED}" in page.url

    page.context.clear_cookies()
    rows = public_rows(page, NAME)
    assert DOCUMENT in rows and "泉税〔2026〕8号" not in rows  # on the blacklist, gone from the red list

    log_in(page, "redco")
    page.goto(f"{page.base_url}/subjects/{ENTERPRISE_RED}")
    red = page.locator("article.entry-red")
    assert red.locator(".entry-flags .status-exited").count() == 1
    assert red.locator("td .status-stopped").count() == 3  # I-GREEN, I-INSPECT, I-PROC
    assert red.locator("td .status-active").count() == 0
    assert page.locator("article.entry-black .entry-flags .status-active").count() == 1
    if database_url.startswith("sqlite"):
        red.scroll_into_view_if_needed()
        screenshot(page, "redlist-removal.png")
