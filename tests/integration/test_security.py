"""CSRF on every form, cookie flags, security headers, lockout, password hashing."""
import re

import pytest
from sqlalchemy import select

from workflows.store.models import User

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database


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


def _from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _log_in(client, username, password="demo-pass-2026"):
    return client.post("/login", data={"username": username, "password": password})


def test_failed_log_ins_slow_down_the_client_never_lock_out_the_owner(app, seeded):
    """Five wrong passwords from one client: that client waits before its next attempt (the right password too);
    the owner logs in from elsewhere at once, and is told by a notice."""
    from webapp.extensions import db
    from workflows.store.automation import Notification

    attacker, owner = _from(app, "203.0.113.9"), _from(app, "198.51.100.7")
    for _ in range(5):
        assert _log_in(attacker, "office", "wrong").status_code == 401
    throttled = _log_in(attacker, "office")
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    token = attacker.post("/api/v1/auth/token", json={"username": "office", "password": "demo-pass-2026"})
    assert token.status_code == 429 and token.json["error"]["details"]["retry_after"] >= 1
    assert _log_in(owner, "office").status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "office"))
        notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                                Notification.kind == "account.failed_logins")).all()
        assert len(notices) == 1 and notices[0].params["client"] == "203.0.113.9"


def test_the_delays_grow_and_end(app, seeded):
    from datetime import UTC, datetime, timedelta

    from webapp.extensions import db
    from workflows.services.admin import accounts

    now = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)  # the delays count from the attempts, whatever the day
    with app.app_context():
        for _ in range(5):
            with pytest.raises(accounts.LoginRefused):
                accounts.authenticate(db.session, "office", "wrong", now=now, client="203.0.113.9")
        with pytest.raises(accounts.LoginRefused) as waiting:
            accounts.authenticate(db.session, "office", "demo-pass-2026", now=now, client="203.0.113.9")
        assert waiting.value.retry_after == 1
        later = now + timedelta(seconds=1)
        with pytest.raises(accounts.LoginRefused):  # a sixth failure: two seconds now
            accounts.authenticate(db.session, "office", "wrong", now=later, client="203.0.113.9")
        with pytest.raises(accounts.LoginRefused) as waiting:
            accounts.authenticate(db.session, "office", "demo-pass-2026", now=later, client="203.0.113.9")
        assert waiting.value.retry_after == 2
        user = accounts.authenticate(db.session, "office", "demo-pass-2026", now=later + timedelta(seconds=2),
                                     client="203.0.113.9")
        assert user.username == "office"
        db.session.rollback()


def test_real_and_unknown_accounts_get_the_same_answers_for_the_same_cost(app, seeded, monkeypatch):
    """Wrong passwords on an account and on a name no account has: the same statuses, the same words, one hash
    check each time (throttled or not): neither the answer nor its time tells which names exist."""
    from workflows.services.admin import accounts

    from argon2 import PasswordHasher

    checks = []

    class Counting(PasswordHasher):
        def verify(self, *args):
            checks.append(1)
            return super().verify(*args)

    monkeypatch.setattr(accounts, "_hasher", Counting(time_cost=1, memory_cost=1024, parallelism=1))

    def answers(username, address):
        client, seen = _from(app, address), []
        for _ in range(7):
            checks.clear()
            response = _log_in(client, username, "wrong")
            text = response.get_data(as_text=True)
            seen.append((response.status_code, "wait" in text, "wrong user name or password" in text.lower()
                         or "用户名或密码错误" in text, len(checks)))
        return seen

    real, unknown = answers("office", "203.0.113.1"), answers("no-such-user", "203.0.113.2")
    assert real == unknown
    assert [status for status, *_ in real] == [401] * 5 + [429] * 2 and all(n == 1 for *_, n in real)


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


def test_a_tokens_roles_are_read_afresh_at_each_request(app, client, seeded):
    """The API's user is a value read at every request (accounts.SignedIn), never kept: a role granted or taken
    away counts from the token's next request on, as a disabled account does."""
    from sqlalchemy import delete

    from webapp.extensions import db
    from workflows.store.models import UserRole

    token = _token(app.test_client(), "office")

    def change_a_setting() -> int:
        return client.put("/api/v1/admin/settings/no_such_setting", headers=token, json={"value": 1}).status_code

    assert change_a_setting() == 403
    uid = _user_id(app, "office")
    with app.app_context():
        db.session.add(UserRole(user_id=uid, role="administrator"))
        db.session.commit()
    assert change_a_setting() == 404  # an administrator's now: let through, to a setting that does not exist
    with app.app_context():
        db.session.execute(delete(UserRole).where(UserRole.user_id == uid, UserRole.role == "administrator"))
        db.session.commit()
    assert change_a_setting() == 403


def test_a_token_carries_no_part_of_the_password_hash(app, client, seeded, db_session):
    from itsdangerous import URLSafeTimedSerializer

    token = _token(client, "office")["Authorization"][7:]
    data = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="api-token").loads(token)
    password_hash = db_session.scalar(select(User.password_hash).where(User.username == "office"))
    assert set(data) == {"uid", "sv"}
    assert not any(str(value) in password_hash for value in data.values() if len(str(value)) > 3)


def _app_with(app, **settings):
    from dataclasses import replace

    from webapp import create_app

    config = replace(app.config["CREDIT_CASES"], **settings)
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, config=config)


def test_behind_a_trusted_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(app, seeded):
    proxied = _app_with(app, trusted_proxies="127.0.0.1")
    tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.4"}
    response = proxied.test_client().post("/login", data={"username": "office", "password": "demo-pass-2026"},
                                          headers=tls)
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # the same headers from a client that is not the proxy, or with no proxy configured: believed by no one
    stranger = proxied.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.4"
    for client in (stranger, app.test_client()):
        forged = client.post("/login", data={"username": "office", "password": "demo-pass-2026"}, headers=tls)
        assert forged.status_code == 302 and "Secure" not in forged.headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in forged.headers


def test_absolute_links_use_the_base_url_never_the_host_header(app, seeded):
    for configured, base in ((_app_with(app, base_url="https://credit.example.gov.cn/"), "https://credit.example.gov.cn"),
                             (app, "http://127.0.0.1:5000")):
        feed = configured.test_client().get("/public/announcements.atom", headers={"Host": "evil.example"})
        text = feed.get_data(as_text=True)
        assert feed.status_code == 200 and "evil.example" not in text and f'href="{base}/public/announcements"' in text


def test_personal_pages_are_never_cached_and_no_server_banner(app, client, auth, seeded):
    """A page with a user's name or a CSRF token is never `public`; a logged-in user's pages and a token's answers
    are `no-store`; what is the same for everyone (the Atom feed, the public list API without a token) stays
    cacheable."""
    for path in ("/public/announcements", "/login", "/public/lists", "/public/licences"):
        cache = client.get(path).headers.get("Cache-Control", "")
        assert "public" not in cache, (path, cache)
    assert "public" in client.get("/public/announcements.atom").headers["Cache-Control"]
    assert "public" in client.get("/api/v1/public/list-entries?list=black").headers["Cache-Control"]
    auth.login("office")
    for path in ("/", "/inbox", "/public/announcements", "/public/lists", "/notifications"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.headers.get("Cache-Control"))
        assert "Server" not in response.headers
    token = client.post("/api/v1/auth/token", json={"username": "office", "password": "demo-pass-2026"}).json["token"]
    for path in ("/api/v1/accounts/me", "/api/v1/cases", "/api/v1/notifications"):
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.headers.get("Cache-Control") == "no-store", path


def test_the_server_names_no_version():
    import gunicorn

    assert not any(c.isdigit() for c in gunicorn.SERVER)  # the `Server` header of `credit-cases web`


def test_the_database_its_wal_and_the_uploads_are_the_service_users_alone(tmp_path, sqlite_template):
    import os
    import shutil
    import stat

    from tests.conftest import make_app
    from tests.integration.access_table import build_world

    old = os.umask(0o022)  # a permissive umask: the product must not depend on the caller's
    try:
        database = tmp_path / "fresh" / "app.sqlite"
        database.parent.mkdir()
        shutil.copy(sqlite_template, database)
        database.chmod(0o644)
        instance = tmp_path / "instance"
        app = make_app(f"sqlite:///{database}", instance)
        with app.app_context():
            build_world(app)  # writes (the WAL) and stores two evidence files
        uploads = app.config["CREDIT_CASES"].upload_dir
        mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
        assert mode(instance) == 0o700 and mode(uploads) == 0o700
        files = list(uploads.iterdir())
        assert files and all(mode(f) == 0o600 for f in files)
        for path in (database, database.with_name("app.sqlite-wal"), database.with_name("app.sqlite-shm")):
            if path.exists():
                assert mode(path) == 0o600, path
        assert database.with_name("app.sqlite-wal").exists()
        brand_new = tmp_path / "fresh" / "new.sqlite"
        from workflows.store.db import make_engine

        engine = make_engine(f"sqlite:///{brand_new}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        engine.dispose()
        assert mode(brand_new) == 0o600
    finally:
        os.umask(old)
