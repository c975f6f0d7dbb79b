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
