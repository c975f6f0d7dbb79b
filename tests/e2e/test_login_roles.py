"""A person logs in as each demo role and lands on that role's home page; the subject page as people see it."""
import pytest

from tests.e2e.browser import log_in, screenshot

HOMES = {
    "admin": "administrator",
    "office": "accepting_office",
    "supervisor": "supervisor",
    "provider": "listing_department",
    "implementer": "implementing_department",
    "applicant": "applicant",
}


@pytest.mark.browser
def test_each_role_lands_on_its_home_page(page):
    for username, home in HOMES.items():
        page.context.clear_cookies()
        log_in(page, username)
        assert page.locator(f"h1[data-home={home}]").count() == 1, username
        assert "/login" not in page.url


@pytest.mark.browser
def test_wrong_password_is_refused_with_a_message(page):
    log_in(page, "office", "not-the-password")
    assert "/login" in page.url
    assert page.locator(".alert-error").count() == 1


@pytest.mark.browser
def test_subject_page_shows_lists_and_measures(page, database_url):
    log_in(page, "applicant")
    page.click("nav.mainnav >> text=我的信用记录")
    page.wait_for_load_state("networkidle")
    assert page.locator("article.entry").count() >= 1
    assert "黑名单" in page.inner_text("main")
    if database_url.startswith("sqlite"):
        screenshot(page, "subject-page.png")
