"""The persons named in an enterprise's blacklisting (落实到人), on both databases: recorded through the listing
page, the API and a bulk import, each a person subject with a linked record; a resident ID number with a wrong
check digit (or a person on a listing that names none) is refused with a clear error and changes nothing; the
public sees a person by surname only and never the ID number."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.integration.test_listing_pages import counts, form
from workflows.domain.process import Actor
from workflows.services.lists.bulk_import import ImportRejected, import_listings
from workflows.store.models import ResponsiblePerson, Subject

ENTERPRISE = "91440400MA4ABCDE1G"
LEGAL, RESPONSIBLE = "440402198505050023", "440402199009090039"
WRONG = "440402198505050024"  # the check digit is 3


def body(**overrides):
    data = {"subject_code": ENTERPRISE, "subject_name": "珠海落实到人测试有限公司", "list": "black",
            "basis": "《企业信息公示暂行条例》第十七条", "document_no": "珠市监信〔2026〕77号", "listed_on": "2026-11-01",
            "valid_until": "2029-11-01", "measures": ["P-PROC"], "published_channel": "信用中国（珠海）网站",
            "responsible_persons": [{"code": LEGAL, "name": "王建国", "role": "legal_representative"},
                                    {"code": RESPONSIBLE, "name": "陈小红"}]}
    data.update(overrides)
    return data


def people(app) -> tuple[int, int]:
    from webapp.extensions import db

    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Subject)),
                db.session.scalar(select(func.count()).select_from(ResponsiblePerson)))


def test_the_api_records_the_persons_each_with_a_linked_record(api, seeded):
    created = api("POST", "/api/v1/list-entries", "provider", json=body())
    assert created.status_code == 201, created.json
    assert [(p["role"], p["name"], p["code"], p["status"]) for p in created.json["responsible_persons"]] == [
        ("legal_representative", "王建国", LEGAL, "active"), ("responsible_person", "陈小红", RESPONSIBLE, "active")]
    person = api("GET", f"/api/v1/subjects/{LEGAL}", "provider").json  # staff: the person's credit file
    assert (person["kind"], person["name"], person["entries"]) == ("person", "王建国", [])
    assert [(r["role"], r["status"], r["enterprise_code"], r["list"]) for r in person["personal_records"]] == [
        ("legal_representative", "active", ENTERPRISE, "black")]
    # staff see the enterprise's persons in full; anyone else by surname and without the ID number
    staff = api("GET", f"/api/v1/subjects/{ENTERPRISE}", "provider").json["entries"][0]["responsible_persons"]
    assert [(p["name"], p["code"]) for p in staff] == [("王建国", LEGAL), ("陈小红", RESPONSIBLE)]
    other = api("GET", f"/api/v1/subjects/{ENTERPRISE}", "redco")
    assert other.status_code == 200
    assert [(p["name"], p["code"]) for p in other.json["entries"][0]["responsible_persons"]] == [
        ("王**", None), ("陈**", None)]
    assert LEGAL not in other.get_data(as_text=True) and "王建国" not in other.get_data(as_text=True)
    assert "personal_records" not in api("GET", f"/api/v1/subjects/{LEGAL}", "redco").json
    # the check an approval system makes before it decides (应查必查) shows the person's open records
    status = api("GET", f"/api/v1/subjects/{RESPONSIBLE}/credit-status?purpose=招投标资格审查", "licensing").json
    assert [(r["role"], r["status"], r["enterprise_code"]) for r in status["personal_records"]] == [
        ("responsible_person", "active", ENTERPRISE)]
    assert "personal_records" not in api("GET", f"/api/v1/subjects/{RESPONSIBLE}/credit-status?purpose=核查",
                                         "redco").json


def test_a_wrong_check_digit_is_refused_and_changes_nothing(api, seeded):
    before, listings = people(seeded), counts(seeded)
    wrong = body(responsible_persons=[{"code": LEGAL, "name": "王建国", "role": "legal_representative"},
                                      {"code": WRONG, "name": "陈小红"}])
    response = api("POST", "/api/v1/list-entries", "provider", json=wrong)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert "wrong check character '4' for a resident ID number: expected '3'" in error["message"]
    assert error["details"]["field"] == "responsible_persons" and error["details"]["index"] == 2
    refusals = [
        (body(responsible_persons=[{"code": ENTERPRISE, "name": "某公司"}]), "not a Unified Social Credit Code"),
        (body(responsible_persons=[{"code": LEGAL, "name": "王建国"}, {"code": LEGAL, "name": "王建国"}]),
         "named twice"),
        (body(responsible_persons=[{"code": LEGAL, "name": "甲", "role": "legal_representative"},
                                   {"code": RESPONSIBLE, "name": "乙", "role": "legal_representative"}]),
         "one legal representative"),
        (body(list="key_attention"), "only in a blacklist listing of an enterprise"),
        (body(subject_code="11010519491231002X", subject_name="张三"),
         "only in a blacklist listing of an enterprise"),
        (body(responsible_persons=[{"code": LEGAL, "name": "王\n建国"}]), "single line"),
    ]
    for data, message in refusals:
        refused = api("POST", "/api/v1/list-entries", "provider", json=data)
        assert refused.status_code == 422 and message in refused.json["error"]["message"], (message, refused.json)
    assert people(seeded) == before and counts(seeded) == listings


def test_the_listing_page_names_the_persons_and_refuses_a_wrong_check_digit(seeded, client, auth):
    """The page, then the enterprise's page for staff (in full) and for anyone else (by surname)."""
    auth.login("provider")
    page = client.get("/listings/new").get_data(as_text=True)
    assert 'name="legal_representative_code"' in page and 'name="responsible_persons"' in page
    before, listings = people(seeded), counts(seeded)
    data = form(subject_code=ENTERPRISE, legal_representative_code=WRONG, legal_representative_name="王建国",
                responsible_persons=f"{RESPONSIBLE} 陈小红")
    refused = client.post("/listings/new", data=data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="legal_representative_code-error"' in text
    assert people(seeded) == before and counts(seeded) == listings

    done = client.post("/listings/new", data={**data, "legal_representative_code": LEGAL})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert people(seeded) == (before[0] + 3, before[1] + 2)  # the enterprise and its two persons
    shown = client.get(f"/subjects/{ENTERPRISE}").get_data(as_text=True)
    assert "王建国" in shown and LEGAL in shown and "陈小红" in shown
    person = client.get(f"/subjects/{RESPONSIBLE}").get_data(as_text=True)
    assert "珠海页面录入有限公司" in person  # the person's page: the enterprise listing it is named in
    auth.logout()
    auth.login("redco")  # not staff: a person by surname, never the ID number
    public = client.get(f"/subjects/{ENTERPRISE}").get_data(as_text=True)
    assert "王**" in public and "陈**" in public
    assert not any(s in public for s in (LEGAL, RESPONSIBLE, "王建国", "陈小红"))


def test_a_bulk_import_names_the_persons_and_reports_a_wrong_check_digit_by_row_and_column(seeded, db_session):
    header = ("subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures,"
              "legal_representative_code,legal_representative_name,responsible_persons\n")
    row = f"{ENTERPRISE},珠海批量测试有限公司,black,某条例第十条,文号,2026-11-01,2028-11-01,P-PROC,{LEGAL},王建国,"

    def content(persons):
        return (header + row + persons + "\n").encode("utf-8")

    before = people(seeded)
    with pytest.raises(ImportRejected) as rejected:
        import_listings(db_session, "l.csv", content(f"{WRONG} 陈小红；{RESPONSIBLE} 陈小红"), Actor(None, "test"),
                        department_code="SCJGJ", today=date(2026, 11, 20))
    db_session.rollback()
    assert [(p["row"], p["column"]) for p in rejected.value.details["problems"]] == [(2, "responsible_persons")]
    assert "wrong check character" in rejected.value.details["problems"][0]["message"]
    assert people(seeded) == before

    [entry] = import_listings(db_session, "l.csv", content(f"{RESPONSIBLE} 陈小红"), Actor(None, "test"),
                              department_code="SCJGJ", today=date(2026, 11, 20))
    db_session.commit()
    assert [(link.role, link.person.code, link.status) for link in entry.responsible_persons] == [
        ("legal_representative", LEGAL, "active"), ("responsible_person", RESPONSIBLE, "active")]
