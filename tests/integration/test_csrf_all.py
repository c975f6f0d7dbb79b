"""Every form the app accepts by POST refuses a request without its CSRF token (400), and nothing changes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from tests.conftest import DEMO_PASSWORD, make_app
from tests.integration.access_table import TABLE, build_world


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def _snapshot(app) -> dict:
    """Row counts of every table, and the columns that POSTs without a new row change."""
    from webapp.extensions import db

    with app.app_context():
        session = db.session
        tables = inspect(db.engine).get_table_names()
        counts = {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        counts["cases.version"] = session.execute(text("SELECT coalesce(sum(version), 0) FROM cases")).scalar()
        counts["users.active"] = session.execute(text("SELECT count(*) FROM users WHERE active")).scalar()
        counts["read"] = session.execute(text("SELECT count(*) FROM notifications WHERE read_at IS NOT NULL")).scalar()
        counts["settings"] = session.execute(text("SELECT count(*) FROM settings")).scalar()
        session.remove()
        return counts


@pytest.fixture(scope="module")
def world(tmp_path_factory, sqlite_template):
    import shutil

    tmp = tmp_path_factory.mktemp("csrf")
    shutil.copy(sqlite_template, tmp / "app.sqlite")
    app = make_app(f"sqlite:///{tmp / 'app.sqlite'}", tmp / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        ids = build_world(app)
    return app, ids


def _post_routes(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


def _path(endpoint: str, ids: dict) -> tuple[str | None, bool]:
    """The path the access table gives this endpoint's POST (None: the table lacks it, a failure below)."""
    row = next((r for r in TABLE if r.endpoint == endpoint and r.method == "POST"), None)
    return (row.path.format(**ids), row.api) if row else (None, False)


def _logged_in(app, username: str):
    client = app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


@pytest.mark.parametrize("username", ["admin", "office", "supervisor", "provider", "applicant"])
def test_every_post_page_without_a_token_is_refused_and_changes_nothing(world, username):
    app, ids = world
    client = _logged_in(app, username)
    before = _snapshot(app)
    problems = []
    for endpoint in _post_routes(app):
        path, is_api = _path(endpoint, ids)
        if path is None:
            problems.append(f"{endpoint}: not in tests/integration/access_table.py")
        if path is None or is_api:
            continue
        response = client.post(path, data={"reason": "forged", "active": "0", "value": "1", "reply": "forged"})
        if response.status_code != 400:
            problems.append(f"{endpoint} {path}: {response.status_code}")
    assert not problems, "accepted without a CSRF token:\n" + "\n".join(problems)
    assert _snapshot(app) == before
    assert client.get("/cases").status_code == 200, "the forged log-out did not log out"


def test_api_posts_need_the_bearer_token_not_the_session_cookie(world):
    app, ids = world
    client = _logged_in(app, "office")
    before = _snapshot(app)
    for endpoint in _post_routes(app):
        path, is_api = _path(endpoint, ids)
        if path and is_api and endpoint != "api_auth.token":
            response = client.post(path, json={"reason": "forged"})
            # 401, or 422 where the body is checked before the token: never taken as the session's user
            assert response.status_code in (401, 422), f"{endpoint} {path}: {response.status_code}"
    assert _snapshot(app) == before
