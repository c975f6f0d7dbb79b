"""What no request may do, whatever the endpoint: carry a NUL character into the database, turn a lost race
on a unique value into a 500, or get the API's answers in the pages' language."""
from sqlalchemy import func, select

from tests.integration.test_api_cases import GROUNDS, entry_of
from workflows.store.cases import Case


def test_a_nul_character_anywhere_is_refused_before_it_reaches_the_database(api, client, auth, db_session):
    cases_before = db_session.scalar(select(func.count(Case.id)))
    body = {"process": "objection", "list_entry_id": entry_of(db_session, "applicant"), "grounds": "原处罚\x00已撤销。"}
    refused = api("POST", "/api/v1/cases", "applicant", json=body)
    assert refused.status_code == 422 and refused.json["error"]["details"]["field"] == "grounds"
    nested = api("POST", "/api/v1/cases", "applicant", json={**body, "grounds": GROUNDS, "extra": [{"a": "\x00"}]})
    assert nested.status_code == 422 and nested.json["error"]["details"]["field"] == "extra.0.a"
    assert api("GET", "/api/v1/cases?state=sub%00mitted", "office").status_code == 422
    auth.login("applicant")
    page = client.get("/cases?state=%00")
    assert page.status_code == 422 and "NUL" in page.get_data(as_text=True)  # a page says it in the reader's words
    assert db_session.scalar(select(func.count(Case.id))) == cases_before


def test_the_api_answers_in_english_whatever_the_pages_language(api, client):
    client.post("/lang/zh_CN")  # a browser's choice for the pages
    invalid = api("GET", "/api/v1/cases?per_page=0", "office")
    assert invalid.status_code == 422 and invalid.json["error"]["message"] == "The request has invalid fields."


def test_a_unique_value_lost_to_a_racing_request_is_a_409_not_a_500(app, api, db_session, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from workflows.services.casework import cases as case_service

    def racing(*args, **kwargs):  # the other request's INSERT committed first: the database refuses ours
        raise IntegrityError("INSERT INTO cases ...", {}, Exception("duplicate key value violates unique constraint"))

    monkeypatch.setattr(case_service, "file_case", racing)
    cases_before = db_session.scalar(select(func.count(Case.id)))
    body = {"process": "objection", "list_entry_id": entry_of(db_session, "applicant"), "grounds": GROUNDS}
    response = api("POST", "/api/v1/cases", "applicant", json=body, headers={"Idempotency-Key": "twice"})
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict", response.json
    assert db_session.scalar(select(func.count(Case.id))) == cases_before
