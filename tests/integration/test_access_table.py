"""The access table (access_table.py) walked with every demo user, anonymously, by session and by token."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, make_app, truncate_pg
from tests.integration.access_table import APPLICANTS, EVERYONE, ROLES, TABLE, USERS, Access, build_world
from workflows.services.admin.accounts import find_user
from workflows.services.deliveries import notify
from workflows.store.automation import Notification
from workflows.store.models import HistoryEntry

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def walked(request, tmp_path_factory, sqlite_template):
    tmp = tmp_path_factory.mktemp("access")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp / "app.sqlite")
        url = f"sqlite:///{tmp / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        truncate_pg(url)
    app = make_app(url, tmp / "instance")
    with app.app_context():
        ids = build_world(app)
    yield app, ids
    from webapp.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _fill(text: str, ids: dict) -> str:
    return text.format(**ids) if isinstance(text, str) else text


def _history_count(app) -> int:
    from webapp.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HistoryEntry))


def _expected(row: Access, role: str) -> str:
    if role in row.allowed:
        return "allowed"
    if role == "anonymous":
        return "anonymous"
    return "hidden" if role in row.hidden else "refused"


def _outcome(row: Access, response) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in row.ok or status < 300:
        return "allowed"
    if 300 <= status < 400:
        return "anonymous" if "/login" in response.headers.get("Location", "") else "allowed"
    if status == 401 and row.api:
        return "anonymous"
    if status == 403:
        return "refused"
    if status == 404:
        return "hidden"
    if row.method == "POST" and status in (400, 409, 422):
        return "allowed"  # past the access check, refused for its (missing) fields
    return f"status {status}"


def _walk(app, ids, role: str) -> list[str]:
    client = app.test_client()
    # a client of its own per role: the failed log-ins of the table's rows count per client
    client.environ_base["REMOTE_ADDR"] = f"10.0.{ROLES.index(role)}.1"
    token = None
    if role != "anonymous":
        assert client.post("/login", data={"username": role, "password": DEMO_PASSWORD}).status_code == 302, role
        token = client.post("/api/v1/auth/token", json={"username": role, "password": DEMO_PASSWORD}).json["token"]
    problems = []
    # logging out (and a failed log-in) last: the rows after them would run logged out
    rows = sorted(TABLE, key=lambda r: r.endpoint in ("auth.logout", "auth.login") and r.method == "POST")
    for row in rows:
        path = _fill(row.path, ids)
        data = {_fill(k, ids): _fill(v, ids) for k, v in row.data.items()}
        headers = {"Authorization": f"Bearer {token}"} if row.api and token else {}
        before = _history_count(app) if row.method != "GET" else None
        if row.api:
            response = client.open(path, method=row.method, headers=headers,
                                   **({"json": data} if row.method == "POST" and not row.path.endswith("/evidence")
                                      else {}))
        else:
            response = client.open(path, method=row.method, data=data)
        expected, got = _expected(row, role), _outcome(row, response)
        if expected != got:
            problems.append(f"{role:11} {row.method:4} {path:45} expected {expected}, got {got}")
        elif expected != "allowed" and before is not None and _history_count(app) != before:
            problems.append(f"{role:11} {row.method:4} {path:45} refused but changed the history")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_row_of_the_table_with_each_role(walked, role):
    app, ids = walked
    problems = _walk(app, ids, role)
    assert not problems, "\n" + "\n".join(problems)


def test_every_endpoint_of_the_app_is_in_the_table(walked):
    app, _ = walked
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(row.endpoint, row.method) for row in TABLE}
    assert not routes - listed, f"endpoints missing from tests/integration/access_table.py: {sorted(routes - listed)}"
    assert not listed - routes, f"rows for endpoints that no longer exist: {sorted(listed - routes)}"


@pytest.mark.parametrize("role", [r for r in APPLICANTS if r != "person"])
def test_another_users_notification_cannot_be_read_or_marked(walked, role):
    from webapp.extensions import db

    app, _ = walked
    with app.app_context():
        note = notify.notice(db.session, "urging.sent", [find_user(db.session, "person")], key={"event": f"guess-{role}"},
                             case=1, by="test", due="2027-01-04", message=f"only for person, not {role}")[0]
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
    assert "only for person" not in client.get("/notifications").get_data(as_text=True)
    client.post("/notifications/read", data={"notification_id": note})
    token = client.post("/api/v1/auth/token", json={"username": role, "password": DEMO_PASSWORD}).json["token"]
    listed = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and "only for person" not in listed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notification, note).read_at is None


def test_the_readable_copy_in_the_docs_is_current():
    from pathlib import Path

    from tests.integration.access_table import markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    assert markdown() in doc, "run `python -m tests.integration.access_table` to regenerate docs/security.md"


def probes(row: Access) -> set[str]:
    """Who tries a row's outlandish numbers: the first staff member and the first applicant who may open it, and a
    visitor where it is public (whoever else is refused before a number is read; the walk above shows that). A row
    that nobody may open in the walk's world (a file of another case) is tried by both kinds of user."""
    allowed = row.allowed or EVERYONE
    staff = [role for role in USERS if role not in APPLICANTS and role in allowed][:1]
    applicants = [role for role in APPLICANTS if role in allowed][:1]
    return {*staff, *applicants, *(["anonymous"] if "anonymous" in row.allowed else [])}


@pytest.mark.parametrize("role", [role for role in ROLES if any(role in probes(row) for row in TABLE)])
def test_outlandish_numbers_in_addresses_never_give_a_server_error(walked, role):
    """A huge or negative page number, an id beyond the database's integers: answered, never a 500."""
    app, ids = walked
    rows = [row for row in TABLE if row.method == "GET" and role in probes(row)]
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
        token = client.post("/api/v1/auth/token", json={"username": role, "password": DEMO_PASSWORD}).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
    huge = "99999999999999999999"
    problems = []
    for row in rows:
        path = row.path.format(**{k: (huge if k.endswith(("_a", "_b", "_id", "_entry")) else v) for k, v in ids.items()})
        for query in (f"page={huge}", "page=-3", "per_page=0"):
            joined = f"{path}{'&' if '?' in path else '?'}{query}"
            status = client.get(joined, headers=headers if row.api else {}).status_code
            if status >= 500:
                problems.append(f"{joined}: {status}")
    assert not problems, "\n".join(problems)


def test_every_row_is_tried_with_outlandish_numbers():
    assert all(probes(row) for row in TABLE if row.method == "GET")
