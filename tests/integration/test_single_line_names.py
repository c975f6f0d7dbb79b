"""Names of subjects, departments and measures are one line of text: a name with a line break (which once made
every e-mail of its events fail) is refused with a clear error wherever it is entered."""
import io

import pytest
from sqlalchemy import func, select

from workflows.demo import enterprise_code
from workflows.store.models import Department, MeasureCatalogueItem, Subject, User

BROKEN = ("某某贸易\n有限公司", "某某贸易有限公司\r\nBcc: x@example.com", "某某\t贸易", "某某\u2028贸易")
REFUSED = "single line of text"


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("name", BROKEN)
def test_a_listing_through_the_api_refuses_a_name_with_a_line_break(api, db_session, name):
    before = count(db_session, Subject)
    response = api("POST", "/api/v1/list-entries", "provider", json={
        "subject_code": enterprise_code("91440400000000888"), "subject_name": name, "list": "black",
        "basis": "某条例第十条", "document_no": "文号", "listed_on": "2026-11-01", "valid_until": "2029-11-01",
        "measures": ["P-PROC"]})
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert REFUSED in error["message"] and error["details"]["field"] == "subject_name"
    assert count(db_session, Subject) == before


def test_a_bulk_import_reports_the_row_whose_name_has_a_line_break(api):
    rows = "".join(f'{enterprise_code(f"91440400000{i:06d}")},"{name}",black,某条例第十条,文号{i},2026-11-01,'
                   f"2029-11-01,P-PROC\n" for i, name in enumerate(["正常有限公司", "两行\n有限公司"]))
    csv = "subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures\n" + rows
    response = api("POST", "/api/v1/list-entries/import", "provider", content_type="multipart/form-data",
                   data={"file": (io.BytesIO(csv.encode()), "x.csv")})
    assert response.status_code == 422, response.json
    problems = [p for p in response.json["error"]["details"]["problems"] if p["column"] == "subject_name"]
    assert [p["row"] for p in problems] == [3] and REFUSED in problems[0]["message"]


def test_sign_up_refuses_a_name_with_a_line_break(client, seeded, db_session):
    before = count(db_session, User)
    response = client.post("/signup", data={
        "code": enterprise_code("91440400000000999"), "name": "某某贸易\r\n有限公司", "username": "newco",
        "password": "a-long-password-2026", "confirm": "a-long-password-2026"})
    assert response.status_code == 422
    assert count(db_session, User) == before


@pytest.mark.parametrize("field", ["name", "name_en"])
def test_the_catalogue_refuses_department_and_measure_names_with_a_line_break(api, db_session, field):
    names = {"name": "某某局", field: "某某局\n第二行"}
    response = api("POST", "/api/v1/admin/departments", "admin", json={"code": "NEWDEPT", **names})
    assert response.status_code == 422 and REFUSED in response.json["error"]["message"], response.json
    assert response.json["error"]["details"]["field"] == field
    response = api("POST", "/api/v1/admin/measures", "admin", json={
        "code": "P-NEW", "effect": "punishment", "obligation": "mandatory", "department": "CZJ",
        **{"name": "某项措施", field: "某项\n措施"}})
    assert response.status_code == 422 and REFUSED in response.json["error"]["message"], response.json
    assert db_session.scalar(select(Department).where(Department.code == "NEWDEPT")) is None
    assert db_session.scalar(select(MeasureCatalogueItem).where(MeasureCatalogueItem.code == "P-NEW")) is None
