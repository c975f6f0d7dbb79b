"""What no request may do, whatever the endpoint: carry a NUL character into the database, turn a lost race
on a unique value into a 500, or get the API's answers in the pages' language."""
from sqlalchemy import func, select

from workflows.store.models import User
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


ATTACK = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


def _get_routes(app) -> list[str]:
    """Every GET address of the app without parameters in its path."""
    return sorted({rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments})


def test_markup_in_a_parameter_name_is_shown_as_text_on_every_address(app, client, auth, seeded):
    """A NUL under a name carrying HTML: the 422 quotes the name escaped, on every address, logged in or not."""
    for logged_in in (False, True):
        if logged_in:
            auth.login("office")
        for path in _get_routes(app):
            response = client.get(path, query_string={ATTACK: "\x00"})
            body = response.get_data(as_text=True)
            assert response.status_code == 422, (path, response.status_code)
            if path.startswith("/api/"):  # JSON, never sniffed as HTML (X-Content-Type-Options: nosniff)
                assert response.mimetype == "application/json", path
            else:
                assert "<meta http-equiv" not in body and "&lt;meta http-equiv" in body, path


def test_markup_in_a_filter_value_is_shown_as_text(client, auth, seeded):
    auth.login("supervisor")
    for name in ("deadline", "dated"):
        response = client.get("/cases", query_string={name: ATTACK})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and "<meta http-equiv" not in body and "&lt;meta" in body, name


DEEP = "[" * 1000 + "]" * 1000


def _json_endpoints(app) -> list[tuple[str, str]]:
    """Every JSON endpoint of the API that takes a body, with the path's ids filled with 1."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
            found.append((method, path))
    return found


def test_hostile_json_is_a_422_naming_the_field_on_every_endpoint(app, api, client, db_session):
    """Nesting beyond any request's need (a parser's recursion), half a character (a lone surrogate), a number no
    column holds: 422 naming where, with a token or without, before any view runs."""
    users_before = db_session.scalar(select(func.count(User.id)))
    for method, path in _json_endpoints(app):
        for username in (None, "admin"):
            response = api(method, path, username, data=DEEP, content_type="application/json")
            assert response.status_code == 422, (method, path, response.status_code)
            assert response.json["error"]["details"]["field"] == "body", (method, path)
    anonymous = client.post("/api/v1/auth/token", data=DEEP, content_type="application/json")
    assert anonymous.status_code == 422
    surrogate = '{"username": "a\\ud800b", "password": "x"}'
    response = client.post("/api/v1/auth/token", data=surrogate, content_type="application/json")
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "username"
    signup = client.post("/api/v1/accounts", data='{"username": "\\udfffname", "password": "long-enough-1", '
                         '"code": "x", "name": "y"}', content_type="application/json")
    assert signup.status_code == 422 and signup.json["error"]["details"]["field"] == "username"
    assert db_session.scalar(select(func.count(User.id))) == users_before


def test_lone_surrogates_and_numbers_out_of_range_are_refused_and_nothing_is_saved(api, db_session):
    cases_before = db_session.scalar(select(func.count(Case.id)))
    entry = entry_of(db_session, "applicant")
    raw = '{"process": "objection", "list_entry_id": %s, "grounds": "%s"}'
    refused = api("POST", "/api/v1/cases", "applicant", data=raw % (entry, "\\ud800" + GROUNDS),
                  content_type="application/json")
    assert refused.status_code == 422 and refused.json["error"]["details"]["field"] == "grounds"
    for number in ("1e400", str(2**70), "-1e400", "1e300"):
        response = api("POST", "/api/v1/cases", "applicant", data=raw % (number, GROUNDS),
                       content_type="application/json")
        assert response.status_code == 422, (number, response.status_code)
        assert response.json["error"]["details"]["field"] == "list_entry_id", number
    urged = api("POST", "/api/v1/supervision/urgings", "supervisor",
                data='{"case_ids": [1e400], "message": "please answer now"}', content_type="application/json")
    assert urged.status_code == 422 and urged.json["error"]["details"]["field"] == "case_ids.0"
    assert db_session.scalar(select(func.count(Case.id))) == cases_before


def test_json_of_ordinary_depth_passes():
    from webapp.errors import MAX_JSON_DEPTH, json_depth

    assert json_depth(b'{"a": "[[[[\\"{{", "b": [1, [2, {"c": []}]]}') == 5  # brackets in strings do not count
    assert json_depth(("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH).encode()) == MAX_JSON_DEPTH
