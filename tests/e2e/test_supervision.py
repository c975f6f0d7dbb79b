"""A supervisor sees an overdue case on the dashboard, urges the department, and the department sees and answers it."""
import pytest

from tests.e2e.browser import log_in, screenshot

pytestmark = pytest.mark.prefect  # the real flows under Prefect's test harness

MESSAGE = "请于三个工作日内完成核实并书面回复。"


@pytest.fixture
def overdue_world(seeded):
    from tests.integration.supervision_fixture import build
    from webapp.extensions import db

    with seeded.app_context():
        ids = build(db.session)
        db.session.commit()
    return ids


@pytest.mark.browser
def test_supervisor_urges_and_the_department_answers(page, overdue_world, database_url):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    overdue = overdue_world["C"]  # redco's objection, overdue at the tax bureau (SWJ)

    log_in(page, "supervisor")
    page.click("nav.mainnav >> text=督办")
    page.wait_for_selector("html[data-charts=drawn]")
    assert page.locator(f"table.case-table a[href='/cases/{overdue}']").count() == 1
    assert page.locator("#chart-trend").is_visible() and page.locator("#chart-breaches").is_visible()
    page.goto(page.base_url + "/supervision/?start=2026-10-01&end=2026-10-31")  # the fixture's busy month
    page.wait_for_selector("html[data-charts=drawn]")
    if database_url.startswith("sqlite"):
        screenshot(page, "supervision-dashboard.png")

    page.check(f"input[name=case_ids][value='{overdue}']")
    page.fill("#urge-message", MESSAGE)
    page.click("form.sv-urge button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success").count() == 1

    page.context.clear_cookies()
    log_in(page, "tax")
    page.click("nav.mainnav a[href='/supervision/department']")
    page.wait_for_load_state("networkidle")
    assert MESSAGE in page.inner_text("main")
    page.goto(page.base_url + "/inbox")
    assert page.locator(f"a[href='/cases/{overdue}']").count() == 1
    page.goto(page.base_url + f"/cases/{overdue}")
    assert MESSAGE in page.inner_text(".case-urgings")
    page.fill(".case-urgings textarea", "已完成核实，将于本周内书面回复。")
    page.click(".case-urgings form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已完成核实" in page.inner_text(".case-urgings")
    assert not [p for p in problems if "Content Security Policy" in p], problems
