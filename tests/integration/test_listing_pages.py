"""Recording listings: the listing department's page, its bulk import page and the API; bad input changes nothing."""
import io

import pytest
from sqlalchemy import func, select

from workflows.demo import ENTERPRISE_BLACK, enterprise_code
from workflows.store.automation import OutboxEvent
from workflows.store.models import ListEntry, Measure

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

HEADER = "subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures\n"
NEW = enterprise_code("91440400000000555")


def form(**overrides):
    data = {"subject_code": NEW, "subject_name": "珠海页面录入有限公司", "list_kind": "black",
            "basis": "《某条例》第十条", "document_no": "珠市监〔2026〕77号", "listed_on": "2026-11-01",
            "valid_until": "2029-11-01", "measures": ["P-PROC", "P-LICENSE"], "published_channel": "信用中国（珠海）网站"}
    data.update(overrides)
    return data


def counts(app):
    from webapp.extensions import db

    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (ListEntry, Measure, OutboxEvent))


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_listing_page_records_entry_measures_and_one_event(seeded, client, auth):
    auth.login("provider")
    assert client.get("/listings/new").status_code == 200
    before = counts(seeded)
    response = client.post("/listings/new", data=form())
    assert response.status_code == 302 and NEW in response.headers["Location"]
    assert counts(seeded) == (before[0] + 1, before[1] + 2, before[2] + 1)
    page = client.get(f"/subjects/{NEW}").get_data(as_text=True)
    assert "珠市监〔2026〕77号" in page
    assert NEW in client.get("/listings").get_data(as_text=True) or "珠海页面录入有限公司" in client.get("/listings").get_data(as_text=True)


def test_listing_page_bad_input_shows_the_field_and_writes_nothing(seeded, client, auth):
    auth.login("provider")
    before = counts(seeded)
    cases = [(dict(subject_code="91110000600037341A"), "subject_code"), (dict(measures=["P-PROC", "NOPE"]), "measures"),
             (dict(listed_on="2020-01-01", valid_until="2021-01-01"), "valid_until"),
             (dict(subject_code=ENTERPRISE_BLACK), "list_kind")]
    for overrides, field in cases:
        response = client.post("/listings/new", data=form(**overrides))
        assert response.status_code == 422, overrides
        assert f'id="{field}-error"' in response.get_data(as_text=True), (overrides, field)  # the message by its field
    assert counts(seeded) == before


def test_only_listing_departments_list(seeded, client, auth):
    auth.login("implementer")
    assert client.get("/listings/new").status_code == 403
    assert client.get("/listings/import").status_code == 403


def test_import_page_reports_problems_then_records_a_good_file(seeded, client, auth):
    auth.login("provider")
    before = counts(seeded)
    bad = HEADER + f"{NEW},甲公司,black,依据,文号,2026-11-01,2029-11-01,P-PROC;NOPE\n" \
                   f"91110000600037341A,乙公司,black,依据,文号,2026-11-01,2029-11-01,P-PROC\n"
    response = client.post("/listings/import", data={"file": (io.BytesIO(bad.encode()), "bad.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "NOPE" in text
    assert "<td>3</td>" in text and "<td>2</td>" in text
    assert counts(seeded) == before
    good = HEADER + "".join(f"{enterprise_code(f'9144040000000{i:04d}')},公司{i},black,依据,文号,2026-11-01,2029-11-01,"
                            f"P-PROC;P-FIN\n" for i in range(20))
    response = client.post("/listings/import", data={"file": (io.BytesIO(good.encode()), "good.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert counts(seeded) == (before[0] + 20, before[1] + 40, before[2] + 1)  # one event for the whole file


def test_api_records_reads_and_refuses(seeded, client):
    provider = token(client, "provider")
    body = {"subject_code": NEW, "subject_name": "珠海接口录入有限公司", "list": "red", "basis": "守合同重信用",
            "document_no": "珠市监〔2026〕5号", "listed_on": "2026-11-01", "valid_until": "2027-11-01",
            "measures": ["I-GREEN"]}
    created = client.post("/api/v1/list-entries", json=body, headers=provider)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert (entry["subject_code"], entry["list"], [m["code"] for m in entry["measures"]]) == (NEW, "red", ["I-GREEN"])
    assert client.get(f"/api/v1/list-entries/{entry['id']}", headers=provider).get_json()["id"] == entry["id"]
    assert client.post("/api/v1/list-entries", json=body, headers=provider).status_code == 409
    assert client.post("/api/v1/list-entries", json={**body, "department": "SWJ"}, headers=provider).status_code == 403
    assert client.post("/api/v1/list-entries", json={**body, "measures": ["P-PROC"]},
                       headers=token(client, "tax")).status_code == 422  # a punishment on the red list
    assert client.post("/api/v1/list-entries", json=body, headers=token(client, "implementer")).status_code == 403
    listed = client.get("/api/v1/list-entries?list=red", headers=provider).get_json()
    assert entry["id"] in [e["id"] for e in listed["items"]]
    assert client.get("/api/v1/list-entries", headers=token(client, "applicant")).status_code == 403
    imported = client.post("/api/v1/list-entries/import", headers=provider, content_type="multipart/form-data",
                           data={"file": (io.BytesIO((HEADER + f"{NEW},x,black,依据,文号,2026-11-01,2020-01-01,P-PROC\n")
                                                     .encode()), "x.csv")})
    assert imported.status_code == 422
    assert {(p["row"], p["column"]) for p in imported.get_json()["error"]["details"]["problems"]} >= {(2, "valid_until")}


def test_webhook_page_registers_and_refuses_bad_urls(seeded, client, auth):
    auth.login("implementer")
    assert client.get("/webhooks").status_code == 200
    refused = client.post("/webhooks", data={"url": "ftp://dept.example.gov.cn/x"})
    assert refused.status_code == 422 and 'id="url-error"' in refused.get_data(as_text=True)
    accepted = client.post("/webhooks", data={"url": "https://dept.example.gov.cn/hooks"})
    assert accepted.status_code == 200 and 'class="secret"' in accepted.get_data(as_text=True)
    assert "https://dept.example.gov.cn/hooks" in client.get("/webhooks").get_data(as_text=True)


def test_reference_data_and_notifications_through_the_api(seeded, client):
    office = token(client, "office")
    assert "SCJGJ" in [d["code"] for d in client.get("/api/v1/departments", headers=office).get_json()]
    assert "P-PROC" in [m["code"] for m in client.get("/api/v1/measures", headers=office).get_json()]
    due = client.get("/api/v1/calendar/working-days?start=2026-09-28&days=20", headers=office).get_json()
    assert due["due_on"] == "2026-10-30"
    assert client.get("/api/v1/calendar/working-days?start=2099-01-05&days=3", headers=office).status_code == 422
    assert client.get("/api/v1/calendar/years", headers=office).status_code == 200
    assert any(s["key"].startswith("objection") for s in client.get("/api/v1/settings", headers=office).get_json())
    assert client.get("/api/v1/notifications", headers=office).get_json() == []
    assert client.post("/api/v1/notifications/99999/read", headers=office).status_code == 404
    assert client.get("/api/v1/departments").status_code == 401


def test_bulk_blacklisting_of_a_red_list_subject_runs_the_after_listing_hooks(seeded, client):
    from workflows.demo import ENTERPRISE_RED_2
    from workflows.store.cases import Case

    provider = token(client, "provider")
    csv = HEADER + f"{ENTERPRISE_RED_2},珠海诚信建设工程有限公司,black,某条例第十条,文号,2026-11-01,2029-11-01,P-PROC\n" \
                   f"{NEW},珠海新公司,black,某条例第十条,文号,2026-11-01,2029-11-01,P-PROC\n"
    response = client.post("/api/v1/list-entries/import", headers=provider, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv.encode()), "listings.csv")})
    assert response.status_code == 201, response.get_json()
    from webapp.extensions import db

    with seeded.app_context():
        processes = db.session.scalars(select(Case.process)).all()
    assert processes.count("redlist_removal") == 1  # for the red-list subject only


def test_a_listing_date_that_cannot_be_is_refused_with_the_range(seeded, client, auth):
    """0001-01-01 and 1900-01-01 (placeholders, typing errors) are refused on the page, by the API and in a bulk
    import, the accepted range in the message; an administrator's setting moves its start."""
    from webapp.extensions import db
    from workflows.services.admin import settings
    from workflows.services.admin.accounts import find_user
    from workflows.services.casework.actors import actor_for

    before = counts(seeded)
    headers = token(client, "provider")
    auth.login("provider")
    client.post("/lang/en")
    for day in ("0001-01-01", "1900-01-01", "1989-12-31"):
        page = client.post("/listings/new", data=form(listed_on=day, valid_until="2029-11-01"))
        text = page.get_data(as_text=True)
        assert page.status_code == 422 and 'id="listed_on-error"' in text and "1990-01-01" in text, day
        body = {"subject_code": NEW, "subject_name": "x", "list": "black", "basis": "x", "listed_on": day,
                "valid_until": "2029-11-01", "measures": ["P-PROC"]}
        answer = client.post("/api/v1/list-entries", json=body, headers=headers)
        assert answer.status_code == 422 and answer.json["error"]["details"]["field"] == "listed_on", day
        assert "1990-01-01 to 2999-12-31" in answer.json["error"]["message"]
        csv = HEADER + f"{NEW},珠海批量有限公司,black,某条例,文号1,{day},2029-11-01,P-PROC\n"
        imported = client.post("/api/v1/list-entries/import", headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(csv.encode()), "x.csv")})
        assert imported.status_code == 422 and "listed_on" in imported.get_data(as_text=True), day
    assert counts(seeded) == before
    with seeded.app_context():
        settings.change(db.session, "records.earliest_year", "1980", actor_for(find_user(db.session, "admin")))
        db.session.commit()
    accepted = client.post("/listings/new", data=form(listed_on="1985-06-01", valid_until="2029-11-01"))
    assert accepted.status_code == 302
