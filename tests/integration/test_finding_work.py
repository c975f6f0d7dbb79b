"""Finding work: staff search cases by subject name, credit code, case or document number beside the filters (pages
and API); pickers instead of typed ids and free text; a green-channel material is supplied only with its file and
only through its own form; an urging goes by default to the department the case waits on."""
import io
import re
import uuid

import pytest
from sqlalchemy import func, select

from tests.integration.supervision_fixture import act, file
from tests.integration.test_green_pages import PDF, deferrable, file_through_pages
from workflows.demo import ENTERPRISE_BLACK, PERSON_BLACK
from workflows.store.base import utcnow
from workflows.store.cases import Case, EvidenceFile
from workflows.store.green import GreenApplication
from workflows.store.models import Department, ListEntry
from workflows.store.supervision import Urging


def listed(client, query: str) -> set[int]:
    """The case numbers a case list page shows."""
    return {int(n) for n in re.findall(r'href="/cases/(\d+)"', client.get(query).get_data(as_text=True))}


@pytest.fixture
def two_cases(seeded, db_session):
    """An objection of the enterprise `applicant` (SCJGJ's listing) and one of the person (FY's)."""
    a, b = file(db_session, "applicant", utcnow()), file(db_session, "person", utcnow())
    db_session.commit()
    return a, b


def test_staff_search_cases_by_name_code_case_and_document_number(client, auth, db_session, two_cases):
    a, b = two_cases
    auth.login("office")
    page = client.get("/cases").get_data(as_text=True)
    assert 'name="q"' in page and "主体名称、信用代码、案件编号或文号" in page
    assert listed(client, "/cases?q=珠海示例") == {a}  # a part of the subject's name
    assert listed(client, f"/cases?q={PERSON_BLACK}") == {b}  # the credit code (resident ID)
    assert listed(client, f"/cases?q={ENTERPRISE_BLACK[:8].lower()}") == {a}  # a part of it, in any case
    assert listed(client, f"/cases?q=%23{b}") == {b} and listed(client, f"/cases?q=%23{a}") == {a}  # the case number
    document = db_session.scalar(select(ListEntry.document_no).join(Case, Case.list_entry_id == ListEntry.id)
                                 .where(Case.id == b))
    assert listed(client, f"/cases?q={document[4:9]}") == {b}  # a part of the document number
    # with the other filters, and nothing for a text that matches nothing (its % and _ taken as they are)
    assert listed(client, "/cases?q=珠海示例&process=objection") == {a}
    assert listed(client, "/cases?q=珠海示例&process=repair_exit") == set()
    assert listed(client, "/cases?q=%25") == set() and listed(client, "/cases?q=_") == set()
    assert listed(client, "/cases") == {a, b}


def test_the_api_searches_the_same_way_within_what_the_caller_sees(api, two_cases):
    a, b = two_cases
    found = api("GET", "/api/v1/cases?q=李明", "office").json
    assert [c["id"] for c in found["items"]] == [b] and found["total"] == 1
    assert api("GET", f"/api/v1/cases?q={PERSON_BLACK}", "provider").json["total"] == 0  # FY's case: not SCJGJ's
    assert api("GET", "/api/v1/cases?q=" + "x" * 101, "office").status_code == 422


def test_departments_are_chosen_by_name_categories_from_the_catalogue(client, auth, seeded):
    auth.login("office")
    page = client.get("/cases").get_data(as_text=True)
    assert '<option value="CZJ">市财政局</option>' in page and "CZJ · " not in page
    auth.logout()
    auth.login("provider")
    form = client.get("/listings/new").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="category"', form)
    assert '<option value="market_regulation">市场监管</option>' in form
    assert '<option value="tax_credit">纳税信用A级</option>' in form
    reevaluation = client.get("/red-list/re-evaluation").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="category"', reevaluation) and "tax_credit 或" not in reevaluation


def test_a_listing_with_a_category_outside_the_catalogue_is_refused(client, auth, db_session, seeded):
    auth.login("provider")
    before = db_session.scalar(select(func.count()).select_from(ListEntry))
    response = client.post("/listings/new", data={
        "subject_code": "91440400MA4UH8XQ7A", "subject_name": "某公司", "list_kind": "black", "basis": "某条例",
        "document_no": "珠市监〔2026〕99号", "listed_on": "2026-01-05", "valid_until": "2027-01-05",
        "measures": ["P-PROC"], "category": "made_up_category"})
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(ListEntry)) == before


def test_the_head_of_supervision_is_chosen_by_name_not_typed(client, auth, seeded):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    section = page.split('id="setting-supervision.head_user_id"')[1].split("</section>")[0]
    assert 'name="value"' not in section and 'href="/supervision/head"' in section
    assert "未指定时通知全部督办人员" in section and "用户编号" not in section
    head = client.get("/supervision/head").get_data(as_text=True)
    assert "信用办督办科" in head  # the supervisors by name


def test_a_green_material_is_supplied_only_with_its_file(client, auth, db_session, seeded):
    auth.login("redco")
    missing = deferrable(db_session)[:1]
    url = "/green/apply/FOOD-BIZ?" + "&".join(f"missing={m}" for m in missing)
    data = {"signatory": "王守信", "signed": "y", "submission_key": str(uuid.uuid4()),
            "file_1": (io.BytesIO(PDF), "licence.pdf")}  # the second statutory material without its file
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请上传该材料的文件：材料须附文件方视为已提交。" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0
    assert db_session.scalar(select(func.count()).select_from(GreenApplication)) == 0


def test_the_materials_are_supplied_through_their_own_form_only(client, auth, db_session, seeded):
    auth.login("redco")
    assert file_through_pages(client, deferrable(db_session)[:1]).status_code == 302
    case_id = db_session.scalar(select(Case.id))
    supplied = {e.purpose for e in db_session.scalars(select(EvidenceFile))}
    auth.logout()
    auth.login("licensing")
    assert client.post(f"/cases/{case_id}/actions/accept_with_commitment", data={"version": 1}).status_code == 302
    auth.logout()
    auth.login("redco")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    item = re.search(r'/materials/(\d+)/submit', page)
    assert item  # the missing item's own form, with its file
    assert f'action="/cases/{case_id}/actions/submit_materials"' not in page  # no generic "material number" form
    version = db_session.get(Case, case_id).version
    response = client.post(f"/cases/{case_id}/actions/submit_materials", data={"version": version, "item": item.group(1)})
    assert response.status_code == 422 and "请在该材料自己的栏目中提交，并附上文件。" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, case_id).version == version
    assert {e.purpose for e in db_session.scalars(select(EvidenceFile))} == supplied


def test_urging_defaults_to_the_department_the_case_waits_on(client, auth, db_session, two_cases):
    a, _b = two_cases  # SCJGJ's listing, waiting at the accepting office (XYB) for its formal review
    office = db_session.scalar(select(Department.id).where(Department.code == "XYB"))
    auth.login("supervisor")
    page = client.get(f"/cases/{a}").get_data(as_text=True)
    assert re.search(r'<option selected value="XYB">|<option value="XYB" selected>', page), "XYB preselected"
    response = client.post("/supervision/urge", data={"case_ids": [str(a)], "message": "请尽快完成形式审查。"})
    assert response.status_code == 302
    assert db_session.scalar(select(Urging.department_id).where(Urging.case_id == a)) == office
    act(db_session, a, "accept", "office", utcnow())  # now the market regulator verifies
    db_session.commit()
    page = client.get(f"/cases/{a}").get_data(as_text=True)
    assert re.search(r'<option selected value="SCJGJ">|<option value="SCJGJ" selected>', page)
