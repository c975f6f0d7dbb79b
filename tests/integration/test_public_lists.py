"""The public red list and blacklist: search by name or code, department, basis and validity shown, cacheable;
and no public response (pages, feed, API without a token) ever contains a key-attention entry."""
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

from workflows import clock

from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_KEY, ENTERPRISE_RED, PERSON_BLACK

KEY_MARKS = (ENTERPRISE_KEY, "珠海某餐饮管理有限公司", "珠市监食〔2026〕45号", "食品安全抽检")


def test_search_by_name_and_code_shows_department_basis_and_validity(seeded, client):
    page = client.get("/public/lists", query_string={"q": "守信"}).get_data(as_text=True)
    assert "泉州守信制造有限公司" in page and "纳税信用A级纳税人名单" in page and "泉税〔2026〕8号" in page
    assert "市税务局" in page and "<time" in page
    by_code = client.get("/public/lists", query_string={"q": ENTERPRISE_BLACK.lower()}).get_data(as_text=True)
    assert "珠海示例科技有限公司" in by_code and "泉州守信" not in by_code
    reds = client.get("/public/lists", query_string={"list": "red"}).get_data(as_text=True)
    assert "泉州守信制造有限公司" in reds and "珠海示例科技有限公司" not in reds


def test_a_person_is_shown_with_the_id_number_masked(seeded, client):
    page = client.get("/public/lists", query_string={"q": "李明"}).get_data(as_text=True)
    assert "李明" in page and PERSON_BLACK not in page and PERSON_BLACK[:6] + "********" in page
    by_code = client.get("/api/v1/public/list-entries", query_string={"q": PERSON_BLACK}).get_json()["items"]
    assert [e["subject_code"] for e in by_code] == [PERSON_BLACK[:6] + "********" + PERSON_BLACK[-4:]]


def test_pages_are_cacheable_with_an_etag(seeded, client):
    first = client.get("/public/lists", query_string={"q": "守信"})
    assert first.status_code == 200 and first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/public/lists", query_string={"q": "守信"}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    api = client.get("/api/v1/public/list-entries", query_string={"q": "守信"})
    assert api.status_code == 200 and api.headers["Cache-Control"].startswith("public")
    assert [e["subject_code"] for e in api.get_json()["items"]] == [ENTERPRISE_RED]
    assert client.get("/api/v1/public/list-entries", query_string={"q": "守信"},
                      headers={"If-None-Match": api.headers["ETag"]}).status_code == 304


def test_bad_search_input_is_a_clear_error(seeded, client):
    refused = client.get("/public/lists", query_string={"list": "key_attention"})
    assert refused.status_code == 422 and "key_attention" in refused.get_data(as_text=True)
    assert client.get("/public/lists", query_string={"q": "x" * 101}).status_code == 422
    assert client.get("/api/v1/public/list-entries", query_string={"list": "key_attention"}).status_code == 422
    assert client.get("/public/lists", query_string={"page": "-3"}).status_code == 200


PUBLIC = ["/", "/login", "/public/lists", "/public/lists?list=black", f"/public/lists?q={ENTERPRISE_KEY}",
          "/public/lists?q=珠海某餐饮", "/public/announcements", "/public/announcements.atom",
          "/api/v1/public/list-entries", f"/api/v1/public/list-entries?q={ENTERPRISE_KEY}", "/api/v1/announcements",
          f"/api/v1/subjects/{ENTERPRISE_KEY}", f"/api/v1/subjects/{ENTERPRISE_KEY}/credit-status?purpose=licence",
          f"/api/v1/subjects/{ENTERPRISE_KEY}/credit-queries", "/api/v1/list-entries", "/api/v1/openapi.json",
          f"/subjects/{ENTERPRISE_KEY}"]


def test_no_public_response_contains_a_key_attention_entry(seeded, client):
    for path in PUBLIC:
        response = client.get(path)
        assert response.status_code < 500, path
        body = response.get_data(as_text=True)
        # the visitor's own words echoed back (the search box, a log-in link back to the page) are no disclosure
        for echoed in [*parse_qs(urlsplit(path).query).get("q", []), urlsplit(path).path]:
            body = body.replace(echoed, "").replace(quote(echoed, safe=""), "")
        for mark in KEY_MARKS:
            assert mark not in body, (path, mark)


FRESH_CODE = "91440400MA5D0E001F"


def test_a_listing_departments_name_prevails_over_a_name_an_anonymous_sign_up_declared(seeded, client, api):
    """Signing up first does not fix a subject's public name: the listing department's prevails."""
    signed_up = api("POST", "/api/v1/accounts", json={"code": FRESH_CODE, "name": "冒名顶替的名称 FAKE NAME",
                                                     "username": "squatter", "password": "squatter-pass-2026",
                                                     "email": "squatter@example.com"})
    assert signed_up.status_code == 201, signed_up.json
    listed = api("POST", "/api/v1/list-entries", "provider", json={
        "subject_code": FRESH_CODE, "subject_name": "珠海示范餐饮有限公司", "list": "black",
        "basis": "拒不履行食品安全行政处罚决定", "document_no": "珠市监〔2026〕88号",
        "listed_on": clock.today().isoformat(), "valid_until": (clock.today() + timedelta(days=730)).isoformat(),
        "measures": ["P-PROC"]})
    assert listed.status_code == 201, listed.json
    found = api("GET", f"/api/v1/public/list-entries?q={FRESH_CODE}").json["items"]
    assert [e["subject_name"] for e in found] == ["珠海示范餐饮有限公司"]
    page = client.get(f"/public/lists?q={FRESH_CODE}").get_data(as_text=True)
    assert "珠海示范餐饮有限公司" in page and "FAKE NAME" not in page
    # a later sign-up to the listed subject, under yet another name, changes nothing either
    api("POST", "/api/v1/accounts", json={"code": FRESH_CODE, "name": "另一个冒名", "username": "squatter2",
                                         "password": "squatter-pass-2026", "email": "squatter2@example.com"})
    assert [e["subject_name"] for e in api("GET", f"/api/v1/public/list-entries?q={FRESH_CODE}").json["items"]] == [
        "珠海示范餐饮有限公司"]
