"""CSRF on every form, cookie flags, security headers, lockout, password hashing."""
import re

import pytest
from sqlalchemy import select

from workflows.store.models import User


@pytest.fixture
def csrf_client(seeded):
    seeded.config["WTF_CSRF_ENABLED"] = True
    return seeded.test_client()


def test_forms_without_csrf_token_change_nothing(csrf_client, db_session):
    csrf_client.post("/login", data={"username": "admin", "password": "demo-pass-2026"})  # no token
    assert csrf_client.get("/admin/users").status_code == 302  # not logged in: sent to the log-in page
    page = csrf_client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, "the login form carries a CSRF token"
    ok = csrf_client.post("/login", data={"username": "admin", "password": "demo-pass-2026",
                                          "csrf_token": match.group(1)})
    assert ok.status_code == 302
    before = db_session.scalar(select(User).where(User.username == "office")).active
    forged = csrf_client.post(f"/admin/users/{db_session.scalar(select(User.id).where(User.username == 'office'))}/active",
                              data={"active": "false"})
    assert forged.status_code in (302, 400)
    db_session.expire_all()
    assert db_session.scalar(select(User).where(User.username == "office")).active == before


def test_session_cookie_flags_and_security_headers(client, seeded):
    response = client.post("/login", data={"username": "admin", "password": "demo-pass-2026"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert header in page.headers
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_lockout_after_five_failures(client, seeded, db_session):
    for _ in range(5):
        assert client.post("/login", data={"username": "office", "password": "wrong"}).status_code == 401
    locked = client.post("/login", data={"username": "office", "password": "demo-pass-2026"})
    text = locked.get_data(as_text=True)
    assert locked.status_code == 401 and ("locked" in text.lower() or "锁定" in text)
    user = db_session.scalar(select(User).where(User.username == "office"))
    assert user.locked_until is not None


def test_passwords_are_hashed_with_argon2id(seeded, db_session):
    hashes = db_session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("demo-pass-2026" in h for h in hashes)


OTHER_SITES = ("/%09/evil.example/", "/\t/evil.example/", "//evil.example/", "/\\evil.example", "/%5Cevil.example",
               "https://evil.example/", "/\n/evil.example", "/ /evil.example", "/\x0b/evil.example",
               "javascript:alert(1)", "/%E3%80%80/evil.example")


@pytest.mark.parametrize("target", OTHER_SITES)
def test_log_in_and_language_switch_follow_only_same_site_paths(client, seeded, target):
    from urllib.parse import quote, unquote

    logged_in = client.post(f"/login?next={target if '%' in target else quote(target, safe='/:')}",
                            data={"username": "office", "password": "demo-pass-2026"})
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == "/", logged_in.headers["Location"]
    switched = client.post("/lang/en", data={"next": unquote(target)})
    assert switched.status_code == 302 and switched.headers["Location"] == "/", switched.headers["Location"]


def test_a_same_site_path_is_followed(client, seeded):
    response = client.post("/login?next=/cases%3Fstate%3Dsubmitted", data={"username": "office",
                                                                           "password": "demo-pass-2026"})
    assert response.headers["Location"] == "/cases?state=submitted"
    assert client.post("/lang/en", data={"next": "/inbox"}).headers["Location"] == "/inbox"


def _copy_of_session(client, app):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _token(client, username, password="demo-pass-2026"):
    return {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": username, "password": password}).json["token"]}


def test_a_copied_session_cookie_and_the_tokens_end_with_the_log_out(app, client, auth, seeded):
    auth.login("office")
    thief = _copy_of_session(client, app)
    token = _token(app.test_client(), "office")
    assert thief.get("/inbox").status_code == 200 and client.get("/api/v1/accounts/me", headers=token).status_code == 200
    auth.logout()
    assert thief.get("/inbox").status_code == 302  # to the log-in page
    assert client.get("/api/v1/accounts/me", headers=token).status_code == 401
    auth.login("office")
    assert client.get("/inbox").status_code == 200


def _user_id(app, username):
    """Outside any request: a test holding an app context would share it (and Flask-Login's user) with its requests."""
    from webapp.extensions import db

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_a_password_change_ends_every_other_session_and_token(app, client, auth, seeded):
    auth.login("applicant")
    thief = _copy_of_session(client, app)
    token = _token(app.test_client(), "applicant")
    refused = client.post("/account/password", data={"current_password": "wrong-one", "password": "new-pass-2026",
                                                    "confirm": "new-pass-2026"})
    assert refused.status_code == 422 and thief.get("/cases").status_code == 200
    changed = client.post("/account/password", data={"current_password": "demo-pass-2026",
                                                    "password": "new-pass-2026", "confirm": "new-pass-2026"})
    assert changed.status_code == 302
    assert client.get("/cases").status_code == 200  # the owner's own session goes on
    assert thief.get("/cases").status_code == 302 and client.get("/api/v1/accounts/me", headers=token).status_code == 401
    assert auth.login("applicant").status_code == 401 and auth.login("applicant", "new-pass-2026").status_code == 302
    # by the API: the answer carries the new token, the old one has ended
    api_token = _token(client, "applicant", "new-pass-2026")
    answer = client.post("/api/v1/accounts/me/password", headers=api_token,
                         json={"current_password": "new-pass-2026", "new_password": "third-pass-2026"})
    assert answer.status_code == 200
    assert client.get("/api/v1/accounts/me", headers=api_token).status_code == 401
    assert client.get("/api/v1/accounts/me", headers={"Authorization": "Bearer " + answer.json["token"]}).status_code == 200


def test_an_administrators_reset_and_disabling_end_every_session_and_token(app, client, auth, seeded):
    victim = app.test_client()
    victim.post("/login", data={"username": "office", "password": "demo-pass-2026"})
    token = _token(app.test_client(), "office")
    office_id = _user_id(app, "office")
    admin = _token(app.test_client(), "admin")
    reset = client.post(f"/api/v1/admin/users/{office_id}/password", headers=admin, json={"password": "reset-pass-1"})
    assert reset.status_code == 200
    assert victim.get("/inbox").status_code == 302 and client.get("/api/v1/accounts/me", headers=token).status_code == 401
    victim.post("/login", data={"username": "office", "password": "reset-pass-1"})
    token = _token(app.test_client(), "office", "reset-pass-1")
    auth.login("admin")
    page = client.post(f"/admin/users/{office_id}/password", data={"password": "page-pass-12", "confirm": "page-pass-12"})
    assert page.status_code == 302 and victim.get("/inbox").status_code == 302
    victim.post("/login", data={"username": "office", "password": "page-pass-12"})
    token = _token(app.test_client(), "office", "page-pass-12")
    assert client.post(f"/admin/users/{office_id}/active", data={"active": "0"}).status_code == 302
    assert client.post(f"/admin/users/{office_id}/active", data={"active": "1"}).status_code == 302
    assert victim.get("/inbox").status_code == 302 and client.get("/api/v1/accounts/me", headers=token).status_code == 401


def test_a_token_carries_no_part_of_the_password_hash(app, client, seeded, db_session):
    from itsdangerous import URLSafeTimedSerializer

    token = _token(client, "office")["Authorization"][7:]
    data = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="api-token").loads(token)
    password_hash = db_session.scalar(select(User.password_hash).where(User.username == "office"))
    assert set(data) == {"uid", "sv"}
    assert not any(str(value) in password_hash for value in data.values() if len(str(value)) > 3)
