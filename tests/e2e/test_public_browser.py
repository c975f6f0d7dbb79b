"""A listing department records a blacklisting on its page; a visitor, not logged in, finds it on the public
list search with its department, basis and validity; the key-attention list is never found there."""
import pytest

from tests.e2e.browser import log_in, screenshot
from workflows.demo import ENTERPRISE_KEY, enterprise_code

NEW = enterprise_code("91440400MA5B0W001")


@pytest.mark.browser
def test_listing_recorded_on_the_page_appears_in_the_public_search(page, database_url):
    log_in(page, "provider")
    with page.expect_navigation():
        page.click("nav.mainnav a[href='/listings']")
    with page.expect_navigation():
        page.click("main a[href='/listings/new']")
    page.fill("#subject_code", NEW)
    page.fill("#subject_name", "珠海浏览器演示有限公司")
    page.select_option("#list_kind", "black")
    page.fill("#basis", "《企业信息公示暂行条例》第十七条：未按规定公示年度报告")
    page.fill("#document_no", "珠市监信〔2026〕101号")
    page.fill("#listed_on", "2026-11-02")
    page.fill("#valid_until", "2029-11-01")
    page.check("input[name=measures][value=P-PROC]")
    page.check("input[name=measures][value=P-BID]")
    page.fill("#published_channel", "信用中国（珠海）网站")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert f"/subjects/{NEW}" in page.url and "珠市监信〔2026〕101号" in page.inner_text("main")

    page.context.clear_cookies()
    page.goto(page.base_url + "/public/lists")
    page.fill("#q", "珠海")
    with page.expect_navigation():
        page.click("form.search-form button[type=submit]")
    table = page.inner_text("table.public-lists")
    assert "珠海浏览器演示有限公司" in table and "珠市监信〔2026〕101号" in table and "2029-11-01" in table
    assert "市市场监督管理局" in table
    assert "珠海某餐饮管理有限公司" not in page.content()  # the key-attention entry
    if database_url.startswith("sqlite"):
        screenshot(page, "public-lists.png")

    page.fill("#q", ENTERPRISE_KEY)
    with page.expect_navigation():
        page.click("form.search-form button[type=submit]")
    assert page.locator("table.public-lists").count() == 0
    assert "0" in page.inner_text(".result-count")
    page.click("footer >> a[href='/public/announcements']")
    assert page.url.endswith("/public/announcements")
