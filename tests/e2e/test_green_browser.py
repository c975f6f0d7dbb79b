"""The green channel end to end in Chromium: an eligible red-list enterprise files with one deferrable material
missing, the window accepts against the commitment, the enterprise supplies it, the window verifies it, the
licence is granted and appears on the public page. The printable notice is saved as a screenshot."""
import pytest

from tests.e2e.browser import log_in, screenshot

pytestmark = pytest.mark.prefect  # the real flows under Prefect's test harness

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LICENCE_NO = "JY14404000054321"


def submit(page, selector):
    with page.expect_navigation():
        page.locator(selector).click()


def as_user(page, username):
    page.context.clear_cookies()
    log_in(page, username)


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


@pytest.mark.browser
def test_green_channel_filed_accepted_supplied_granted_and_published(page, world, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("what the browser does does not depend on the database; flows and pages run on both")
    as_user(page, "redco")
    page.goto(page.base_url + "/cases")
    submit(page, "#content a[href='/green']")
    assert page.locator(".green-eligibility.is-eligible").count() == 1
    submit(page, "a[href='/green/apply/FOOD-BIZ']")
    page.locator("input[name=missing]").first.check()  # the floor plan will follow
    submit(page, "form[method=get] button[type=submit]")
    assert "信用承诺书" in page.inner_text("main")
    page.set_input_files("input[name=file_1]", files=[pdf("营业执照.pdf")])
    page.set_input_files("input[name=file_2]", files=[pdf("法定代表人身份证.pdf")])
    for other in page.locator("input[type=file][name^=file_]").all()[2:]:  # each material supplied with its file
        other.set_input_files(files=[pdf(f"{other.get_attribute('name')}.pdf")])
    page.fill("input[name=signatory]", "王守信")
    page.check("input[name=signed]")
    submit(page, "form[enctype='multipart/form-data'] button[type=submit]")
    assert "/cases/" in page.url, page.inner_text("main")[:1000]
    case_url = page.url
    world.drain()

    as_user(page, "licensing")
    page.goto(case_url)
    page.fill("#action-accept_with_commitment input[name=days]", "5")
    submit(page, "#action-accept_with_commitment button[type=submit]")
    assert page.locator("svg .state.current[data-state=awaiting_materials]").count() == 1
    world.drain()
    submit(page, "#materials a[href$='/notice']")
    notice = page.inner_text("main")
    assert "容缺受理通知书" in notice and "食品经营场所和设备布局、操作流程平面图" in notice
    screenshot(page, "green-notice.png")

    as_user(page, "redco")
    page.goto(case_url)
    page.set_input_files("#submit-3 input[name=files]", files=[pdf("平面图.pdf")])
    submit(page, "#submit-3 button[type=submit]")
    assert "平面图.pdf" in page.inner_text("#materials")
    world.drain()

    as_user(page, "licensing")
    page.goto(case_url)
    page.locator("#verify-3 input[value=verified]").check()
    submit(page, "#verify-3 button[type=submit]")
    assert page.locator("svg .state.current[data-state=materials_complete]").count() == 1
    page.fill("#action-grant [name=licence_no]", LICENCE_NO)
    submit(page, "#action-grant button[type=submit]")
    world.drain()
    page.reload()
    assert page.locator("svg .state.current[data-state=published]").count() == 1

    page.context.clear_cookies()
    page.goto(page.base_url + "/public/licences")
    text = page.inner_text("main")
    assert LICENCE_NO in text and "泉州守信制造有限公司" in text
