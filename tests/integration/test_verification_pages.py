"""Pages and API of a verification the subject did not ask for: anyone's complaint about a public record (with
evidence, offering only what the public lists show), a department's own finding, and an objection against an
exited entry kept in the record."""
from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import select

from workflows import clock
from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_KEY, PERSON_BLACK
from workflows.domain.lists import ExitReason
from workflows.store.cases import Case, EvidenceFile
from workflows.store.models import ListEntry, User

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GROUNDS = "该企业已于上月补报年度报告，黑名单公示信息与实际不符。"
KEY_DOCUMENT = "珠市监食〔2026〕45号"  # the key-attention entry's document number: never shown to a complainant


@pytest.fixture
def english(client, seeded):
    client.post("/lang/en")
    return client


def entry_of(db_session, username: str) -> int:
    return db_session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                             .where(User.username == username).order_by(ListEntry.id))


def key_entry(db_session) -> int:
    return db_session.scalar(select(ListEntry.id).where(ListEntry.list_kind == "key_attention"))


def complain(client, entry_id, code=ENTERPRISE_BLACK, files=(("receipt.pdf", PDF),)):
    return client.post("/complaints/new", content_type="multipart/form-data", data={
        "subject_code": code, "list_entry_id": str(entry_id), "grounds": GROUNDS, "submission_key": str(uuid.uuid4()),
        "files": [(io.BytesIO(content), name) for name, content in files]})


def last_case(db_session) -> Case | None:
    db_session.expire_all()
    return db_session.scalar(select(Case).order_by(Case.id.desc()))


def test_the_public_lists_link_each_entry_to_the_complaint_form(english, auth, db_session):
    page = english.get(f"/public/lists?q={ENTERPRISE_BLACK}").get_data(as_text=True)
    entry_id = entry_of(db_session, "applicant")
    assert f"/complaints/new?subject_code={ENTERPRISE_BLACK}&amp;entry={entry_id}" in page
    auth.login("redco")
    form = english.get(f"/complaints/new?subject_code={ENTERPRISE_BLACK}&entry={entry_id}").get_data(as_text=True)
    assert "珠市监信〔2026〕12号" in form and f'<option selected value="{entry_id}"' in form


def test_the_complaint_form_offers_only_entries_of_the_public_lists(english, auth, db_session):
    auth.login("redco")
    page = english.get(f"/complaints/new?subject_code={ENTERPRISE_KEY}").get_data(as_text=True)
    assert "no entry on the public lists" in page and KEY_DOCUMENT not in page
    wrong = english.get("/complaints/new?subject_code=91440400MA4UH8XQ70").get_data(as_text=True)
    assert 'class="field has-error"' in wrong
    before = last_case(db_session)
    for code in (ENTERPRISE_KEY, ENTERPRISE_BLACK):  # the key-attention entry named directly: as if there were none
        response = complain(english, key_entry(db_session), code=code)
        assert response.status_code == 404 and KEY_DOCUMENT not in response.get_data(as_text=True)
    assert "no such entry of this subject on the public lists" in response.get_data(as_text=True)
    assert last_case(db_session) is before


def test_a_complaint_with_evidence_is_filed_and_followed_by_the_complainant(english, auth, db_session):
    auth.login("redco")
    response = complain(english, entry_of(db_session, "applicant"))
    assert response.status_code == 302, response.get_data(as_text=True)
    case = last_case(db_session)
    assert (case.state, case.data["origin"], case.applicant.username) == ("submitted", "complaint", "redco")
    assert "contact_phone" not in case.data  # the subject reading the case sees no contact of the complainant
    evidence = db_session.scalar(select(EvidenceFile).where(EvidenceFile.case_id == case.id))
    assert evidence.original_name == "receipt.pdf"
    page = english.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "withdraw" in page.get_data(as_text=True)
    assert english.get(f"/cases/{case.id}/files/{evidence.id}").data == PDF
    assert "泉州守信制造有限公司" in page.get_data(as_text=True)  # the complainant's own name, to the complainant
    auth.logout()
    auth.login("person")  # another member of the public does not see it
    assert english.get(f"/cases/{case.id}").status_code == 404
    auth.logout()
    auth.login("applicant")  # the subject reads the case about its record, not who complained
    subject_view = english.get(f"/cases/{case.id}").get_data(as_text=True)
    assert GROUNDS in subject_view and "The complainant" in subject_view and "泉州守信制造有限公司" not in subject_view
    assert "A complaint" in subject_view and ">complaint<" not in subject_view  # who opened it, by its label
    auth.logout()
    auth.login("office")
    assert "泉州守信制造有限公司" in english.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_person_is_named_by_its_full_resident_id(english, auth, db_session):
    auth.login("redco")
    page = english.get(f"/complaints/new?subject_code={PERSON_BLACK}").get_data(as_text=True)
    assert "（2025）粤04执1234号" in page


def test_a_department_reports_its_own_finding_from_the_subject_page(english, auth, db_session):
    entry_id = entry_of(db_session, "applicant")
    auth.login("implementer")  # applies the procurement measure of this entry
    subject_page = english.get(f"/subjects/{ENTERPRISE_BLACK}").get_data(as_text=True)
    assert f"/findings/new/{entry_id}" in subject_page
    response = english.post(f"/findings/new/{entry_id}", content_type="multipart/form-data", data={
        "grounds": "执行政府采购限制时发现处罚决定已被撤销。", "submission_key": str(uuid.uuid4()),
        "files": [(io.BytesIO(PDF), "revocation.pdf")]})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = last_case(db_session)
    assert (case.state, case.data["origin"], case.department.code) == ("verifying", "department", "SCJGJ")
    auth.logout()
    auth.login("housing")  # neither supplied it nor applies a measure of it
    assert f"/findings/new/{entry_id}" not in english.get(f"/subjects/{ENTERPRISE_BLACK}").get_data(as_text=True)
    refused = english.post(f"/findings/new/{entry_id}", data={"grounds": "执行中发现记录可能有误，请核实。",
                                                              "submission_key": str(uuid.uuid4())})
    assert refused.status_code == 404
    auth.logout()
    auth.login("applicant")
    assert english.get(f"/findings/new/{entry_id}").status_code == 403


def test_the_objection_form_offers_an_exited_entry_kept_in_the_record(english, auth, db_session):
    entry = db_session.get(ListEntry, entry_of(db_session, "applicant"))
    entry.change_status("exit", at=clock.now(), reason=ExitReason.EXPIRED)
    db_session.commit()
    auth.login("applicant")
    page = english.get("/cases/new/objection").get_data(as_text=True)
    assert f'value="{entry.id}"' in page and "exited, kept in the credit record" in page


def test_the_api_files_a_complaint_and_a_department_finding(api, db_session):
    entry_id = entry_of(db_session, "applicant")
    filed = api("POST", "/api/v1/cases", "redco", json={
        "process": "objection", "origin": "complaint", "subject_code": ENTERPRISE_BLACK, "list_entry_id": entry_id,
        "grounds": GROUNDS})
    assert filed.status_code == 201, filed.json
    assert (filed.json["state"], filed.json["data"]["origin"]) == ("submitted", "complaint")
    assert "withdraw" in filed.json["available_actions"]
    hidden = api("POST", "/api/v1/cases", "redco", json={
        "process": "objection", "origin": "complaint", "subject_code": ENTERPRISE_KEY,
        "list_entry_id": key_entry(db_session), "grounds": GROUNDS})
    assert hidden.status_code == 404 and KEY_DOCUMENT not in hidden.get_data(as_text=True)
    assert api("GET", f"/api/v1/cases/{filed.json['id']}", "redco").status_code == 200
    seen = api("GET", f"/api/v1/cases/{filed.json['id']}", "applicant").json  # the subject: not who complained
    assert [h["actor"] for h in seen["history"] if h["action"] == "file"] == ["complainant"]
    assert api("POST", f"/api/v1/cases/{filed.json['id']}/actions/refuse", "office",
               json={"reason": "投诉未说明记录有误的具体情形。"}).status_code == 200
    finding = api("POST", "/api/v1/cases", "provider", json={
        "process": "objection", "origin": "department", "list_entry_id": entry_id,
        "grounds": "复查本部门归集信息时发现文号有误。"})
    assert finding.status_code == 201, finding.json
    assert finding.json["state"] == "verifying"
    assert {"confirm", "correct", "revoke"} <= set(finding.json["available_actions"])
    assert "withdraw" not in finding.json["available_actions"]
    wrong = api("POST", "/api/v1/cases", "redco", json={"process": "objection", "origin": "nobody",
                                                         "list_entry_id": entry_id, "grounds": GROUNDS})
    assert wrong.status_code == 422 and wrong.json["error"]["details"].get("field") == "origin"
