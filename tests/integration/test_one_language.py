"""One language at a time: every page a demo user can open (the access table's pages), the case pages of a case of
each process, the CSV exports and the error messages a page shows are read in Chinese, with no identifier left.

The visible text (and the `title`, `placeholder`, `alt`, `aria-label` attributes, the options' texts, a button's
value) is checked for snake_case words, dotted keys and the bare names of states, roles, lists and statuses. Codes
meant to be shown (credit codes, case numbers, file names, e-mail addresses, URLs, user names) are no such words.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from forms.labels import STATES
from tests.conftest import DEMO_PASSWORD, make_app, truncate_pg
from tests.integration.access_table import PDF, TABLE, USERS, build_world
from workflows import labels as workflow_labels
from workflows.domain.roles import Role
from workflows.processes import DEFINITIONS

# what must never reach a reader: an identifier, a dotted key, or a bare state, role, list or status name
BARE = sorted({*STATES, *workflow_labels.STATUSES, *workflow_labels.LISTS, *(r.value for r in Role),
               *(a.name for d in DEFINITIONS.values() for a in d.actions), "None", "True", "False"} - {"red", "black"})
IDENTIFIER = re.compile(r"(?<![\w./@-])([a-z]+_[a-z_]+|[a-z]+\.[a-z_]+|[a-z_]+:\w+|"
                        + "|".join(map(re.escape, BARE)) + r"|red|black)(?![\w/@-]|\.\w)")
# on a page in Chinese, any English word (a lower-case one: codes are upper case, names capitalised)
WORD = re.compile(r"(?<![\w./@-])([a-z]{3,})(?![\w/@-]|\.\w)")
# what the people of the test world typed themselves (access_table.build_world): shown as they wrote it
TYPED = ("please answer", "only for person", "督办人：test")
# English prose: four words in a row
PROSE = re.compile(r"\b[A-Za-z]+,? [a-z]+,? [a-z]+,? [a-z]+\b")
# codes a person is meant to read: e-mail addresses, URLs, file names, paths
CODES = re.compile(r"\S+@\S+|https?://\S+|\b[\w-]+\.(pdf|png|jpe?g|csv|xlsx|json|atom|txt)\b|/[\w/{}.-]+")
SHOWN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}


class VisibleText(HTMLParser):
    """The text a person reads on a page: what is not script or style, plus the attributes a browser shows."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template") or dict(attrs).get("translate") == "no":
            self._hidden += 1  # a code meant to be shown as it is (a file format) says so: translate="no"
            self._stack.append(tag)
        attrs = dict(attrs)
        self.parts += [value for name, value in attrs.items() if name in SHOWN_ATTRIBUTES and value]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def identifiers(text: str, allowed: set[str] = frozenset(), *, words: bool = False) -> list[str]:
    """The identifier-shaped words of a text (and with `words` any English word), with their surroundings, codes
    and user names aside."""
    text = CODES.sub(" ", text)
    for typed in TYPED:
        text = text.replace(typed, " ")
    found = []
    matches = [*IDENTIFIER.finditer(text), *(WORD.finditer(text) if words else ())]
    for match in sorted(matches, key=lambda m: m.start()):
        if match.group(1) not in allowed:
            found.append(f"{match.group(1)!r} in …{text[max(0, match.start() - 30):match.end() + 30]!r}…")
    found += [f"English {match.group(0)!r}" for match in PROSE.finditer(text)]
    return found


def test_the_check_sees_identifiers_and_leaves_codes():
    found = identifiers("状态：accepting_office 审核 objection.acceptance_days，结果 suspended")
    assert [hit.split(" in ")[0] for hit in found] == ["'accepting_office'", "'objection.acceptance_days'", "'suspended'"]
    assert identifiers("文件 decision_2026.pdf，邮箱 li_ming@example.gov.cn，代码 91440400MA4UH8XQ7A，案件 #12") == []
    assert visible_text('<p title="tax_credit">可见<script>var a_b = 1;</script></p><option>material:1</option>'
                        '<input type="submit" value="key_attention">') == "tax_credit\n可见\nmaterial:1\nkey_attention"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request, tmp_path_factory, sqlite_template):
    """The access table's world, with a credit repair, a green-channel case and a red-list removal beside its
    two objections, and the users' names (codes shown as they are)."""
    tmp = tmp_path_factory.mktemp("language")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp / "app.sqlite")
        url = f"sqlite:///{tmp / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        truncate_pg(url)
    app = make_app(url, tmp / "instance")
    from webapp.extensions import db

    with app.app_context():
        ids = build_world(app)
        ids.update(more_cases(app, db.session, ids))
    yield app, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def more_cases(app, session, ids) -> dict:
    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import evidence
    from workflows.services.casework.actors import actor_for
    from workflows.services.casework.cases import file_case, take_action
    from workflows.services.processes.redlist_removal import open_removal
    from workflows.store.green import LicenceMatter
    from workflows.store.models import ListEntry

    config = app.config["CREDIT_CASES"]
    applicant, redco = (actor_for(find_user(session, name)) for name in ("applicant", "redco"))
    take_action(session, ids["case_a"], "withdraw", applicant)  # a case in a final state too
    black = session.scalar(select(ListEntry.id).where(ListEntry.subject_id == find_user(session, "applicant").subject_id,
                                                      ListEntry.list_kind == "black"))
    repair = file_case(session, "repair_exit", applicant, {"list_entry_id": black, "rectification": "已补报2023至2025年度年度报告，并缴清全部罚款。",
                                                           "commitment_signed": True})
    evidence.store(session, repair, [evidence.Upload("receipt.pdf", PDF)], applicant, config.upload_dir,
                   config.max_upload_bytes, purpose="proof")
    matter = session.scalar(select(LicenceMatter).where(LicenceMatter.code == "FOOD-BIZ"))
    green = file_case(session, "conditional_acceptance", redco, {
        "matter": "FOOD-BIZ", "missing": [m.id for m in matter.materials if not m.core][:1], "signed": True,
        "signatory": "王守信"})
    evidence.store(session, green, [evidence.Upload("licence.pdf", PDF)], redco, config.upload_dir,
                   config.max_upload_bytes, purpose="material:1")
    red = session.scalars(select(ListEntry).where(ListEntry.list_kind == "red", ListEntry.status == "active")
                          .order_by(ListEntry.id)).first()
    removal = open_removal(session, red, "abuse", actor=actor_for(find_user(session, "implementer")),
                           reason="该企业享受激励期间存在失信行为。", evidence=[evidence.Upload("e.pdf", PDF)],
                           upload_dir=config.upload_dir)
    session.commit()
    return {"repair": repair.id, "green": green.id, "removal": removal.id}


def _login(app, username):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.1.{USERS.index(username) if username in USERS else 99}.1"
    if username != "anonymous":
        assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def _usernames(app) -> set[str]:
    return set(USERS)


def _pages(ids) -> list[tuple[str, str]]:
    """(user, path) of every GET page of the access table its users may open, and each case's page for its viewers."""
    rows = [(user, row.path.format(**ids)) for row in TABLE if row.method == "GET" and not row.api
            and row.endpoint not in ("static", "ops.health", "ops.ready", "ops.prometheus", "cases.evidence_file",
                                     "admin.export_calendar", "reports.month_xlsx")
            for user in sorted(row.allowed) + (["anonymous"] if row.path.startswith(("/public", "/login", "/signup"))
                                               else [])]
    for key, viewers in (("repair", ("applicant", "office", "provider", "supervisor")),
                         ("green", ("redco", "licensing", "office")),
                         ("removal", ("implementer", "office", "tax", "supervisor", "redco"))):
        rows += [(user, f"/cases/{ids[key]}") for user in viewers]
    return rows


@pytest.mark.one_database  # the pages' words
def test_every_page_reads_in_chinese_without_identifiers(world):
    app, ids = world
    problems, clients = [], {}
    for user, path in _pages(ids):
        client = clients.get(user) or clients.setdefault(user, _login(app, user))
        response = client.get(path)
        if response.status_code != 200:
            continue  # who may open what is the access table's test
        if not response.mimetype.startswith("text/"):
            continue  # a written decision's PDF: its Chinese text is checked by the documents' tests
        body = response.get_data(as_text=True)
        if response.mimetype == "text/html":
            text = visible_text(body)
        elif response.mimetype == "text/csv":
            text = "\n".join(" ".join(row) for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        else:
            continue
        allowed = _usernames(app) if path.startswith("/admin/users") or path == "/login" else set()
        problems += [f"{user} {path}: {hit}" for hit in identifiers(text, allowed, words=True)]
    assert not problems, "\n" + "\n".join(sorted(set(problems)))


def test_no_chinese_message_names_an_identifier():
    """Every message of the catalogue (pages, forms, labels, errors, notices) as a Chinese reader reads it: no field,
    state or action identifier left in the translation (the values it is given are checked on the pages)."""
    from babel.messages.pofile import read_po

    from tests.unit.test_translations import PO

    with PO.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            text = re.sub(r"%\(\w+\)[sd]|%[sd]", "", text or "")
            problems += [f"{message.id!r}: {hit}" for hit in identifiers(text)] if message.id else []
    assert not problems, "\n" + "\n".join(problems)


def test_every_system_actor_has_its_label():
    """The history names who acted: each part of the system by a label (the deadline sweep is no "sla")."""
    from pathlib import Path

    from webapp.labels import SYSTEM_ACTORS

    root = Path(__file__).resolve().parents[2]
    named = {m for path in (root / "workflows").rglob("*.py")
             for m in re.findall(r'Actor\.system\("([^"]+)"\)', path.read_text(encoding="utf-8"))}
    assert named and named - set(SYSTEM_ACTORS) == set()
