"""Written decisions on the pages and through the API: the case lists them, its viewers get the PDF (by session or
token) and no one else; the administrator sets each department's numbering pattern and the statement of rights'
bodies, which the next documents use."""
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.store.documents import NumberingPattern
from workflows.store.models import HistoryEntry, ListEntry

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"


def refused_objection(db_session) -> int:
    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
    case_service.take_action(db_session, case.id, "refuse", actor_for(find_user(db_session, "office")),
                             {"reason": "不属于异议受理范围。"})
    db_session.commit()
    return case.id


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).replace("\n", "")


def test_the_case_lists_its_decisions_and_its_viewers_get_the_pdf(api, db_session):
    assert api("PUT", "/api/v1/admin/numbering/XYB", "admin", json={"pattern": "珠信{kind}〔{year}〕{n}号"}).json[
        "pattern"] == "珠信{kind}〔{year}〕{n}号"
    case_id = refused_objection(db_session)
    [document] = api("GET", f"/api/v1/cases/{case_id}", "applicant").json["documents"]
    assert (document["kind"], document["action"], document["title"], document["department"]) == (
        "refusal", "refuse", "不予受理决定书", "XYB")
    assert document["number"].startswith("珠信不受〔") and document["number"].endswith("〕1号")
    response = api("GET", document["url"], "applicant")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert document["number"] in text and "不属于异议受理范围。" in text and "行政复议" in text
    assert api("GET", document["url"] + "?download=1", "office").headers["Content-Disposition"].startswith("attachment")
    for outsider in ("redco", "person", "tax"):  # another subject, another department: as if it did not exist
        assert api("GET", document["url"], outsider).status_code == 404, outsider
    assert "/login" in api("GET", document["url"]).headers["Location"]  # neither session nor token


def test_a_listing_notice_is_read_by_the_subject_and_staff_only(api, db_session):
    entry_id = db_session.scalar(select(ListEntry.id).where(
        ListEntry.subject_id == find_user(db_session, "applicant").subject_id))
    [document] = api("GET", f"/api/v1/list-entries/{entry_id}/documents", "applicant").json
    assert (document["kind"], document["title"]) == ("listing_notice", "失信记录告知书")
    assert "失信记录告知书" in pdf_text(api("GET", document["url"], "provider").data)
    assert api("GET", f"/api/v1/list-entries/{entry_id}/documents", "redco").status_code == 404
    assert api("GET", document["url"], "redco").status_code == 404


def test_the_case_page_links_its_decisions(seeded, client, auth, db_session):
    case_id = refused_objection(db_session)
    auth.login("applicant")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "书面决定" in page and "不予受理决定书" in page and f"/cases/{case_id}/documents/" in page


def test_the_subject_page_links_the_notice_of_its_dishonesty_record_for_its_readers_only(seeded, client, auth,
                                                                                      db_session):
    from workflows.demo import ENTERPRISE_BLACK

    auth.login("applicant")
    assert "失信记录告知书" in client.get(f"/subjects/{ENTERPRISE_BLACK}").get_data(as_text=True)
    auth.logout()
    auth.login("redco")  # another subject reads the public entries, not the notices sent to this one
    page = client.get(f"/subjects/{ENTERPRISE_BLACK}").get_data(as_text=True)
    assert "失信记录告知书" not in page and "/documents/" not in page


def test_the_administrator_sets_a_numbering_pattern_on_its_page(seeded, client, auth, db_session):
    auth.login("admin")
    assert "文号格式" in client.get("/admin/numbering").get_data(as_text=True)
    refused = client.post("/admin/numbering/SWJ", data={"pattern": "泉税〔2026〕{n}号"})
    assert refused.status_code == 422 and "必须包含 {年份} 和 {序号}" in refused.get_data(as_text=True)
    assert db_session.scalar(select(NumberingPattern.pattern)) is None
    # a Chinese reader names the placeholders in Chinese; they are stored (and in the API) by their own names
    saved = client.post("/admin/numbering/SWJ", data={"pattern": "泉税{类别}〔{年份}〕{序号}号"})
    assert saved.status_code == 302
    assert db_session.scalar(select(NumberingPattern.pattern)) == "泉税{kind}〔{year}〕{n}号"
    shown = client.get("/admin/numbering").get_data(as_text=True)
    assert "泉税{类别}〔{年份}〕{序号}号" in shown and "已保存：市税务局的文号格式" in shown  # the department by its name
    assert db_session.scalar(select(HistoryEntry.action).order_by(HistoryEntry.id.desc())) == "change_numbering"
    assert client.post("/admin/numbering/NOPE", data={"pattern": "{year}{n}"}).status_code == 404


def test_the_numbering_api_refuses_what_the_page_refuses(api):
    assert api("PUT", "/api/v1/admin/numbering/SWJ", "admin", json={"pattern": "{year}{n}{x}"}).status_code == 422
    assert api("PUT", "/api/v1/admin/numbering/NOPE", "admin", json={"pattern": "{year}{n}"}).status_code == 404
    assert api("PUT", "/api/v1/admin/numbering/SWJ", "office", json={"pattern": "{year}{n}"}).status_code == 403
    listed = {row["department"]: row for row in api("GET", "/api/v1/admin/numbering", "admin").json}
    assert listed["SWJ"]["default"] is True and "{year}" in listed["SWJ"]["pattern"]


def test_the_rights_bodies_are_settings_of_the_settings_page_and_api(client, auth, api):
    assert api("PUT", "/api/v1/admin/settings/rights.court", "admin", json={"value": "珠海市香洲区人民法院"}).json == {
        "key": "rights.court", "value": "珠海市香洲区人民法院"}
    assert api("PUT", "/api/v1/admin/settings/rights.court", "admin", json={"value": " "}).status_code == 422
    auth.login("admin")
    assert client.post("/admin/settings/rights.review_body", data={"value": "珠海市人民政府"}).status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "权利告知：行政复议机关" in page and "珠海市人民政府" in page and "珠海市香洲区人民法院" in page
