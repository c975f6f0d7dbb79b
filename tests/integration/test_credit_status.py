"""The credit-status query (应查必查): purpose required, every call recorded, the subject sees who looked,
rate-limited per caller with a clear 429; the key-attention list only for entitled callers."""
import pytest

from tests.conftest import make_app
from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_KEY, ENTERPRISE_RED

PURPOSE = "建设工程施工许可审批（许可事项 2026-118）"


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def status(client, headers, code, purpose=PURPOSE):
    query = {"purpose": purpose} if purpose is not None else {}
    return client.get(f"/api/v1/subjects/{code}/credit-status", headers=headers, query_string=query)


def test_answer_lists_entries_and_green_channel_and_records_the_call(seeded, client):
    licensing = token(client, "licensing")
    red = status(client, licensing, ENTERPRISE_RED)
    assert red.status_code == 200, red.get_json()
    body = red.get_json()
    assert [e["document_no"] for e in body["red"]] == ["泉税〔2026〕8号"] and body["black"] == []
    assert body["green_channel"]["eligible"] is True and body["green_channel"]["reasons"]
    black = status(client, licensing, ENTERPRISE_BLACK).get_json()
    assert black["black"] and black["green_channel"]["eligible"] is False
    # the subject itself sees who looked, why and when
    log = client.get(f"/api/v1/subjects/{ENTERPRISE_BLACK}/credit-queries", headers=token(client, "applicant"))
    assert log.status_code == 200
    assert [(q["caller"], q["department"], q["purpose"]) for q in log.get_json()] == [
        ("市场监管局行政审批窗口", "SCJGJ", PURPOSE)]
    # another subject may not read that log
    assert client.get(f"/api/v1/subjects/{ENTERPRISE_BLACK}/credit-queries",
                      headers=token(client, "redco")).status_code == 404


def test_key_attention_only_for_entitled_callers(seeded, client):
    staff = status(client, token(client, "licensing"), ENTERPRISE_KEY).get_json()
    assert [e["document_no"] for e in staff["key_attention"]] == ["珠市监食〔2026〕45号"]
    outsider = status(client, token(client, "redco"), ENTERPRISE_KEY)
    assert outsider.status_code == 200
    assert "key_attention" not in outsider.get_json() and "珠市监食" not in outsider.get_data(as_text=True)


@pytest.mark.parametrize("purpose", [None, "", "  ", "x"])
def test_no_purpose_is_refused_and_nothing_recorded(seeded, client, purpose):
    licensing = token(client, "licensing")
    response = status(client, licensing, ENTERPRISE_RED, purpose)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "purpose"
    assert client.get(f"/api/v1/subjects/{ENTERPRISE_RED}/credit-queries",
                      headers=token(client, "redco")).get_json() == []


def test_bad_code_and_no_token(seeded, client):
    assert status(client, token(client, "licensing"), "91110000600037341A").status_code == 422
    assert status(client, {}, ENTERPRISE_RED).status_code == 401


def test_rate_limited_per_caller_with_retry_after(sqlite_url, tmp_path):
    from webapp.extensions import db
    from workflows.demo import seed

    app = make_app(sqlite_url, tmp_path / "instance", CREDIT_STATUS_RATE_LIMIT=(3, 60))
    with app.app_context():
        seed(db.session)
        db.session.commit()
    client = app.test_client()
    licensing, bank = token(client, "licensing"), token(client, "bank")
    assert [status(client, licensing, ENTERPRISE_RED).status_code for _ in range(3)] == [200, 200, 200]
    limited = status(client, licensing, ENTERPRISE_RED)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert status(client, bank, ENTERPRISE_RED).status_code == 200  # per caller
    log = client.get(f"/api/v1/subjects/{ENTERPRISE_RED}/credit-queries", headers=token(client, "redco")).get_json()
    assert len(log) == 4  # the refused call is not recorded as a look
    with app.app_context():
        db.engine.dispose()


def test_the_subject_sees_who_looked_on_its_page(seeded, client, auth):
    assert status(client, token(client, "bank"), ENTERPRISE_BLACK).status_code == 200
    auth.login("applicant")
    page = client.get(f"/subjects/{ENTERPRISE_BLACK}").get_data(as_text=True)
    assert 'id="who-looked"' in page and PURPOSE in page and "人民银行征信管理处" in page
    auth.logout()
    auth.login("redco")  # another subject sees no such log on a page that is not its own
    assert PURPOSE not in client.get(f"/subjects/{ENTERPRISE_BLACK}").get_data(as_text=True)
