"""No action fails because a year's holiday arrangement is missing.

Every human action of every process is walked, once through the JSON API and once through the pages, with the
product's clock on Wednesday 2098-12-24: the arrangement of 2098 is imported, that of 2099 is not. Far-future
years stand in for "next year, not yet published", so the test depends neither on the day it runs nor on the
packaged calendar data.

Each step either succeeds, a deadline running into 2099 then waiting `unscheduled` in the API case read, or it
must tell a person a date in 2099 and is refused: 409, error code `calendar_missing`, a message naming 2099, the
case unchanged. Such refusals are the green channel's `accept_with_commitment` when the materials deadline or the
processing time it prints in the notice ends in 2099, and a supervisor's urging whose reply-by day falls in 2099
(its own API and page: `POST /api/v1/supervision/urgings`, `POST /supervision/urge`). The administrators are
asked for 2099 once. Importing 2099 then lets the refused acceptance through and schedules every deadline that
waited.

An `extend` into 2099 is not reachable here: the extension guard keeps the materials deadline within the
processing time counted from acceptance, and an acceptance whose processing time ends in a missing year is itself
refused; the green cases that are extended were accepted on 2098-12-03, while all their dates fell in 2098.

Filing, per channel: the API files every process through `POST /api/v1/cases` (credit repair: a draft, then its
proof through `POST /api/v1/cases/{id}/evidence`); the pages file an objection at `/cases/new/objection`, a
green-channel application at `/green/apply/{matter}`, an abuse report at `/red-list/abuse-report`, and credit
repair at `/cases/new/repair_exit`, which files and submits in one request (so `submit` is walked there by the
filing page). Actions go through `POST /api/v1/cases/{id}/actions/{action}` and `POST /cases/{id}/actions/{action}`;
a green-channel material is submitted with its file at its own routes
(`/api/v1/cases/{id}/materials/{no}/submit`, `/green/cases/{id}/materials/{no}/submit`) and verified on the page
at `/green/cases/{id}/materials/{no}/verify`, as the case page's materials panel does.

System actions are not walked (the worker, or the product within the same request, takes them):
objection `begin_verification` (taken in the request that files a department's own finding), `close`; repair_exit `close`; conditional_acceptance `complete_materials` (taken in the request that
verifies the last material: the walk sees it in the history), `commitment_breached`, `publish`; redlist_removal
`remove`, `report` (taken in the request that files an abuse report), `supersede`, `close`.
"""
from __future__ import annotations

import base64
import io
import json
import re
import uuid
from datetime import date
from typing import NamedTuple

import holidays
import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from workflows.demo import ENTERPRISE_RED, ENTERPRISE_RED_2
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.processes import DEFINITIONS
from workflows.store.automation import Notification
from workflows.store.cases import Timer
from workflows.store.supervision import Urging

KNOWN, MISSING = 2098, 2099
EARLY = date(2098, 12, 3)  # a Wednesday: 20 working days later is 31 December, still in 2098
WALK_DAY = date(2098, 12, 24)  # a Wednesday: 3 working days later is the 29th, 6 or more are in 2099
SYSTEM = Actor.system("test")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GROUNDS = "原处罚决定已被复议机关撤销，请核实并撤销该黑名单记录。"
RECTIFICATION = "已补报2095至2097年度年度报告，并缴清全部罚款。"
ABUSE = "该企业将政府采购优先资格转借关联企业使用，附合同为证。"


class Step(NamedTuple):
    """(user, action, params), with what the step must come to."""

    user: str
    action: str
    params: dict
    waits: tuple[str, ...] = ()  # the case's deadlines that wait for 2099 once the step is done
    refused: bool = False  # refused for the missing year: 409 calendar_missing, nothing changed
    day: date = WALK_DAY  # the day it is taken (10:00 in Shanghai)


VERIFICATION, REVIEW, ABUSE_REVIEW = ("verification",), ("review",), ("abuse_review",)

# Per process, its paths; each path is one case, its steps in order. The green channel comes first, and its
# refused acceptance before any deadline runs into 2099, so that the administrators' notice is seen to come
# from the refusal itself.
WALK: dict[str, list[list[Step]]] = {
    "conditional_acceptance": [
        [Step("redco", "file", {"matter": "PRINT-BIZ"}, day=EARLY),  # processing time: 15 working days
         Step("licensing", "accept_with_commitment", {"days": 15}, day=EARLY),  # both end on the 24th
         Step("redco", "submit_materials", {"item": 3, "note": "补交设备清单"}),
         Step("licensing", "verify_materials", {"item": 3, "result": "verified"}),  # the product completes them
         Step("licensing", "refuse_licence", {"reason": "现场核查不符合许可条件。"})],
        [Step("redco", "file", {"matter": "PRINT-BIZ"}),
         # the materials deadline ends on the 31st, the processing time in 2099
         Step("licensing", "accept_with_commitment", {"days": 5}, refused=True),
         # both end in 2099 (the default: 10 working days)
         Step("licensing", "accept_with_commitment", {}, refused=True),
         Step("licensing", "refuse", {"reason": "申请事项与经营范围不符。"})],
        [Step("redco", "file", {"matter": "PRINT-BIZ"}),
         Step("redco", "withdraw", {"reason": "暂不办理该许可。"})],  # before acceptance
        [Step("redco", "file", {"matter": "PRINT-BIZ"}),
         Step("licensing", "accept_with_commitment", {}, refused=True)],  # taken again once 2099 is imported
        [Step("redco", "file", {"matter": "FOOD-BIZ"}, day=EARLY),  # processing time: 20 working days, to the 31st
         Step("licensing", "accept_with_commitment", {"days": 18}, day=EARLY),  # materials by the 29th
         Step("licensing", "extend", {"days": 2, "reason": "台风停电，延期两个工作日。"}),  # to the 31st: all the room
         Step("redco", "submit_materials", {"item": 3, "note": "补交平面图"}),
         Step("licensing", "verify_materials", {"item": 3, "result": "rejected", "reason": "平面图未盖章"}),
         Step("redco", "submit_materials", {"item": 3}),
         Step("licensing", "verify_materials", {"item": 3, "result": "verified"}),
         Step("licensing", "grant", {"licence_no": "JY14404000098765"}, waits=("publication",))],
    ],
    "objection": [
        [Step("applicant", "file", {}),
         Step("office", "accept", {}, waits=VERIFICATION),
         Step("provider", "confirm", {"reason": "经核实，原始记录无误。"})],
        [Step("applicant", "file", {}),
         Step("office", "request_supplement", {"reason": "请补充复议决定书。"}),
         Step("applicant", "supplement", {"note": "已补充复议决定书。"}),
         Step("office", "accept", {}, waits=VERIFICATION),
         Step("provider", "correct", {"correction": "处罚文号更正为珠市监信〔2097〕12号。", "measures": "resume",
                                      "document_no": "珠市监信〔2097〕12号"})],
        [Step("applicant", "file", {}),
         Step("office", "accept", {}, waits=VERIFICATION),
         Step("provider", "revoke", {"reason": "原处罚决定已被撤销，撤销该记录。"})],
        [Step("applicant", "file", {}),
         Step("office", "refuse", {"reason": "异议事项不属于本办受理范围。"})],
        [Step("applicant", "file", {}),
         Step("office", "accept", {}, waits=VERIFICATION),
         Step("applicant", "withdraw", {"reason": "已与原处罚机关协商解决。"})],
        [Step("applicant", "file", {}),
         Step("office", "accept", {}, waits=VERIFICATION)],  # left waiting: scheduled by the import
    ],
    "repair_exit": [
        [Step("applicant", "file", {}),
         Step("applicant", "submit", {"commitment_signed": True}),
         Step("office", "accept", {}, waits=REVIEW),
         Step("provider", "approve", {"key_attention_months": 12})],
        [Step("applicant", "file", {}),
         Step("applicant", "submit", {"commitment_signed": True}),
         Step("office", "request_supplement", {"reason": "请补充缴款凭证。"}),
         Step("applicant", "supplement", {"note": "已补充缴款凭证。"}),
         Step("office", "accept", {}, waits=REVIEW),
         Step("provider", "deny", {"reason": "整改材料不足以证明失信行为已经纠正。"})],
        [Step("applicant", "file", {}),
         Step("applicant", "submit", {"commitment_signed": True}),
         Step("office", "refuse", {"reason": "申请材料不齐全，不予受理。"})],
        [Step("applicant", "file", {}),
         Step("applicant", "withdraw", {"reason": "暂不申请修复。"})],
        [Step("applicant", "file", {}),
         Step("applicant", "submit", {"commitment_signed": True}),
         Step("office", "accept", {}, waits=REVIEW)],  # left waiting
    ],
    "redlist_removal": [
        [Step("implementer", "file", {"subject_code": ENTERPRISE_RED_2}, waits=ABUSE_REVIEW),
         Step("provider", "confirm_abuse", {"reason": "经核查，举报属实。"})],
        [Step("implementer", "file", {"subject_code": ENTERPRISE_RED}, waits=ABUSE_REVIEW),
         Step("tax", "dismiss", {"reason": "经核查，举报不属实。"})],
        [Step("implementer", "file", {"subject_code": ENTERPRISE_RED}, waits=ABUSE_REVIEW)],  # left waiting
    ],
}

# what a page's filing takes in the same request besides the filing itself
FILED_WITH = {"repair_exit": ("submit",)}
WAITING_PATHS = {"objection": 5, "repair_exit": 4, "redlist_removal": 2, "conditional_acceptance": 4}
REFUSED_THEN_TAKEN = ("conditional_acceptance", 3)  # the refused acceptance taken again after the import


def arrangement(year: int) -> str:
    """A stand-in arrangement: the statutory holidays on weekdays as days off, no make-up days."""
    days_off = sorted(d.isoformat() for d in holidays.China(years=year) if d.weekday() < 5)
    return json.dumps({"year": year, "days_off": days_off, "working_days": []})


# --- fixtures: the clock first, then the demo data ------------------------------------------------

OWN_SUBJECT = ("objection", "repair_exit")  # each path of these is filed by an applicant of its own subject


def own_applicant(process: str, index: int) -> str:
    """The applicant of an objection or credit repair path: a subject has one open blacklist entry at most, and
    one case of a kind on it, so each path has a subject of its own, listed by the market regulator."""
    return f"{process.split('_')[0]}{index}"


def own_code(process: str, index: int) -> str:
    from workflows.demo import enterprise_code

    return enterprise_code(f"914404000{list(WALK).index(process)}98{index:05d}")


@pytest.fixture
def walk_app(app, travel):
    """The demo data seeded on 2098-12-03 (it is dated from the product's clock), with 2098 imported and 2099
    missing, and for each objection and credit repair path a blacklisted subject with its applicant."""
    from webapp.extensions import db
    from workflows.demo import seed
    from workflows.services.admin import accounts, calendar_imports
    from workflows.services.lists import listings

    # `app` made the database first, with its stand-in arrangements for the real date's years; only then the clock
    travel(EARLY)
    with app.app_context():
        calendar_imports.import_arrangement(db.session, arrangement(KNOWN), f"{KNOWN}.json", SYSTEM)
        seed(db.session)
        for process in OWN_SUBJECT:
            for index in range(len(WALK[process])):
                code, name = own_code(process, index), f"珠海示例{process}{index}有限公司"
                listings.record_listing(db.session, listings.ListingRequest(
                    code, name, "black", "SCJGJ", "《企业信息公示暂行条例》第十七条：届满3年仍未履行公示义务",
                    f"珠市监信〔2097〕{len(process)}{index}号", date(KNOWN - 1, 12, 1), date(KNOWN + 2, 12, 1),
                    ["P-PROC", "P-LICENSE"], "market_regulation"), SYSTEM)
                accounts.create_user(db.session, username=own_applicant(process, index), password=DEMO_PASSWORD,
                                     roles=["applicant"], actor=SYSTEM, subject_code=code, display_name=name)
        db.session.commit()
    return app


def checked(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return response


class Api:
    """Calls the JSON API as a demo user (the pattern of conftest's `api`), every answer checked for a 5xx."""

    def __init__(self, client):
        self.client, self.tokens = client, {}

    def __call__(self, method, path, username, **kwargs):
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.json
            self.tokens[username] = response.json["token"]
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.tokens[username]}"}
        response = checked(self.client.open(path, method=method, headers=headers, **kwargs))
        if response.status_code == 401 and "no longer valid" in response.json["error"]["message"]:
            del self.tokens[username]  # the user logged out of the pages meanwhile, which ends its tokens too
            return self(method, path, username, **kwargs)
        return response

    def case(self, case_id):
        response = self("GET", f"/api/v1/cases/{case_id}", "office")
        assert response.status_code == 200, response.json
        return response.json


class Pages:
    """The pages, in English, as a demo user logged in for each step."""

    def __init__(self, client):
        self.client = client

    def login(self, username):
        checked(self.client.post("/logout"))
        assert checked(self.client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
                       ).status_code == 302
        checked(self.client.post("/lang/en"))

    def post(self, path, data, multipart=False):
        kwargs = {"content_type": "multipart/form-data"} if multipart else {}
        return checked(self.client.post(path, data=data, **kwargs))

    def get(self, path):
        return checked(self.client.get(path))


def form_value(value) -> str:
    return "y" if value is True else str(value)


def case_id_from(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = re.fullmatch(r"/cases/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def page_alert(html: str) -> str:
    alerts = re.findall(r'<div class="alert alert-error"[^>]*>(.*?)</div>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>|\s+", " ", a).strip() for a in alerts)


# --- the walk ---------------------------------------------------------------------------------------

class Walk:
    """Takes the table's steps through one channel, checking each as it goes."""

    def __init__(self, app, channel):
        from webapp.extensions import db

        self.app, self.channel, self.db = app, channel, db
        self.api = Api(app.test_client())  # the API caller, and the reader of every case
        self.pages = Pages(app.test_client())
        self.cases: dict[tuple[str, int], int] = {}
        self.years = (KNOWN,)  # the years whose arrangement is there: a running deadline is dated in one of them

    # the database, for what no API shows

    def query(self, fn):
        with self.app.app_context():
            try:
                return fn(self.db.session)
            finally:
                self.db.session.rollback()

    def notices(self) -> dict[str, list[str]]:
        """The subjects of each administrator's calendar notices."""
        from workflows.services.deliveries.notify import users_with_role

        def read(session):
            admins = users_with_role(session, Role.ADMINISTRATOR)
            assert admins
            return {user.username: session.scalars(select(Notification.subject).where(
                Notification.user_id == user.id, Notification.kind == "calendar.missing")).all() for user in admins}

        return self.query(read)

    def assert_asked_once(self) -> None:
        """Each administrator has one calendar notice, asking for the missing year."""
        notices = self.notices()
        assert all(len(subjects) == 1 and str(MISSING) in subjects[0] for subjects in notices.values()), notices

    def material_id(self, matter_code: str, no: int) -> int:
        from workflows.store.green import LicenceMatter

        def read(session):
            matter = session.scalar(select(LicenceMatter).where(LicenceMatter.code == matter_code))
            return matter.materials[no - 1].id

        return self.query(read)

    def entry_of(self, code: str) -> int:
        from workflows.store.models import ListEntry, Subject

        return self.query(lambda session: session.scalar(
            select(ListEntry.id).join(Subject).where(Subject.code == code, ListEntry.list_kind == "black")))

    # one step

    def run(self, process: str, index: int, step: Step) -> None:
        key = (process, index)
        if process in OWN_SUBJECT and step.user == "applicant":
            step = step._replace(user=own_applicant(process, index))
        if step.action == "file":
            assert key not in self.cases, "one filing per path"
            params = dict(step.params)
            if process in OWN_SUBJECT:
                params["list_entry_id"] = self.entry_of(own_code(process, index))
            self.cases[key] = self.file(process, step.user, params)
            after = self.api.case(self.cases[key])
            assert after["history"][0]["action"] == "file", after["history"]
            self.check_deadlines(after, step)
            return
        case_id = self.cases[key]
        before = self.api.case(case_id)
        if step.action in FILED_WITH.get(process, ()) and self.channel == "pages":
            assert step.action in [h["action"] for h in before["history"]]  # taken by the filing page
            return
        response = self.act(process, case_id, step, before["version"])
        after = self.api.case(case_id)
        where = (process, index, step.action, self.channel)
        if step.refused:
            self.check_refusal(response, where)
            assert (after["state"], after["version"], len(after["history"]), after["deadlines"]) == (
                before["state"], before["version"], len(before["history"]), before["deadlines"]), where
            self.assert_asked_once()
            return
        assert response.status_code in (200, 302), (where, response.get_data(as_text=True)[:3000])
        taken = [h["action"] for h in after["history"][len(before["history"]):]]
        assert step.action in taken, (where, taken)
        assert after["version"] > before["version"], where
        self.check_deadlines(after, step)

    def check_refusal(self, response, where) -> None:
        assert response.status_code == 409, (where, response.get_data(as_text=True)[:3000])
        if self.channel == "api":
            error = response.json["error"]
            assert error["code"] == "calendar_missing", (where, error)
            assert error["details"]["year"] == MISSING, (where, error)
            assert str(MISSING) in error["message"] and "calendar" in error["message"], (where, error)
        else:
            alert = page_alert(response.get_data(as_text=True))
            assert str(MISSING) in alert and "calendar" in alert, (where, alert)

    def check_deadlines(self, case: dict, step: Step) -> None:
        """The deadlines named by the step wait for 2099, with no date; every other running one is dated in a year
        whose arrangement is there."""
        waiting = sorted(d["kind"] for d in case["deadlines"] if d["status"] == "unscheduled")
        assert waiting == sorted(step.waits), (case["process"], step.action, case["deadlines"])
        for deadline in case["deadlines"]:
            if deadline["status"] == "unscheduled":
                assert deadline["due_on"] is None and deadline["due_at"] is None, deadline
                assert deadline["working_days_left"] is not None, deadline  # its limit is kept
            elif deadline["status"] in ("on_track", "due_soon", "overdue"):
                assert int(deadline["due_on"][:4]) in self.years and deadline["due_at"], deadline

    # filing and acting, per channel

    def file(self, process: str, user: str, params: dict) -> int:
        if process == "conditional_acceptance":
            params = {"matter": params["matter"], "missing": [self.material_id(params["matter"], 3)],
                      "signed": True, "signatory": "王守信"}
        if self.channel == "api":
            return self.api_file(process, user, params)
        self.pages.login(user)
        return self.page_file(process, params)

    def api_file(self, process: str, user: str, params: dict) -> int:
        body = {"process": process, **params}
        if process == "objection":
            body["grounds"] = GROUNDS
        elif process == "repair_exit":
            body["rectification"] = RECTIFICATION
        elif process == "redlist_removal":
            body.update(reason=ABUSE, files=[{"name": "举报材料.pdf", "content": base64.b64encode(PDF).decode()}])
        created = self.api("POST", "/api/v1/cases", user, json=body)
        assert created.status_code == 201, created.json
        if process == "repair_exit":  # the proof its category requires, before it is submitted
            proof = self.api("POST", f"/api/v1/cases/{created.json['id']}/evidence", user,
                             data={"files": [(io.BytesIO(PDF), "缴款凭证.pdf")]}, content_type="multipart/form-data")
            assert proof.status_code == 200, proof.json
        return created.json["id"]

    def page_file(self, process: str, params: dict) -> int:
        key = str(uuid.uuid4())
        if process == "objection":
            return case_id_from(self.pages.post("/cases/new/objection", {
                "list_entry_id": str(params["list_entry_id"]), "grounds": GROUNDS, "contact_name": "王经理",
                "contact_phone": "13800138000", "submission_key": key,
                "files": [(io.BytesIO(PDF), "复议决定书.pdf")]}, multipart=True))
        if process == "repair_exit":  # files, attaches the proof, signs and submits
            return case_id_from(self.pages.post("/cases/new/repair_exit", {
                "list_entry_id": str(params["list_entry_id"]), "rectification": RECTIFICATION, "submission_key": key,
                "commitment_signed": "y", "files": [(io.BytesIO(PDF), "缴款凭证.pdf")]}, multipart=True))
        if process == "conditional_acceptance":
            url = f"/green/apply/{params['matter']}?missing={params['missing'][0]}"
            form = self.pages.get(url)
            assert form.status_code == 200
            # each material supplied at filing comes with its file
            files = {name: (io.BytesIO(PDF), f"{name}.pdf")
                     for name in re.findall(r'name="(file_\d+)"', form.get_data(as_text=True))}
            return case_id_from(self.pages.post(url, {
                "signatory": params["signatory"], "signed": "y", "submission_key": key, **files}, multipart=True))
        assert process == "redlist_removal"
        return case_id_from(self.pages.post("/red-list/abuse-report", {
            "subject_code": params["subject_code"], "reason": ABUSE, "files": [(io.BytesIO(PDF), "举报材料.pdf")]},
            multipart=True))

    def act(self, process: str, case_id: int, step: Step, version: int):
        params = step.params
        if self.channel == "api":
            if step.action == "submit_materials":  # a material travels with its file
                return self.api("POST", f"/api/v1/cases/{case_id}/materials/{params['item']}/submit", step.user,
                                data={"note": params.get("note", ""), "version": str(version),
                                      "files": (io.BytesIO(PDF), "材料.pdf")}, content_type="multipart/form-data")
            return self.api("POST", f"/api/v1/cases/{case_id}/actions/{step.action}", step.user,
                            json={**params, "version": version})
        self.pages.login(step.user)
        page = self.pages.get(f"/cases/{case_id}").get_data(as_text=True)
        if step.action == "submit_materials":
            path = f"/green/cases/{case_id}/materials/{params['item']}/submit"
            assert f'action="{path}"' in page  # the case page's materials panel offers it
            response = self.pages.post(path, {"version": str(version), "note": params.get("note", ""),
                                              "files": (io.BytesIO(PDF), "材料.pdf")}, multipart=True)
        elif step.action == "verify_materials":
            path = f"/green/cases/{case_id}/materials/{params['item']}/verify"
            assert f'action="{path}"' in page
            response = self.pages.post(path, {"version": str(version), "result": params["result"],
                                              "reason": params.get("reason", "")})
        else:
            assert f'action="/cases/{case_id}/actions/{step.action}"' in page, step.action  # the page offers it
            response = self.pages.post(f"/cases/{case_id}/actions/{step.action}",
                                       {"version": str(version), **{k: form_value(v) for k, v in params.items()}})
        if response.status_code == 302:
            assert self.pages.get(response.headers["Location"]).status_code == 200  # the page it leads to
        return response

    # around the walk

    def urge(self, case_id: int, **extra):
        body = {"message": "请加快核实进度并于期限内回复。", **extra}
        if self.channel == "api":
            return self.api("POST", "/api/v1/supervision/urgings", "supervisor", json={"case_ids": [case_id], **body})
        self.pages.login("supervisor")
        return self.pages.post("/supervision/urge", {"case_ids": [str(case_id)], "next": f"/cases/{case_id}",
                                                     **{k: str(v) for k, v in body.items()}})

    def urgings(self) -> int:
        return self.query(lambda session: len(session.scalars(select(Urging.id)).all()))


def open_timers(walk: Walk, status: str) -> dict[int, tuple]:
    return walk.query(lambda session: {t.id: (t.case_id, t.kind, t.status, t.due_on, t.due_at) for t in session.scalars(
        select(Timer).where(Timer.status == status, Timer.case_id.is_not(None)))})


@pytest.mark.parametrize("channel", ["api", "pages"])
def test_every_action_of_every_process_is_taken_or_refused_cleanly_at_the_end_of_a_year(walk_app, travel, channel):
    from workflows.services.admin import settings

    walk = Walk(walk_app, channel)
    for day in (EARLY, WALK_DAY):
        travel(day)
        if day == WALK_DAY:
            assert not any(walk.notices().values())  # nothing has needed 2099 yet
        for process, paths in WALK.items():
            for index, path in enumerate(paths):
                for step in path:
                    if step.day == day:
                        walk.run(process, index, step)

    walk.assert_asked_once()  # the refusals and the waiting deadlines asked for 2099 once in all

    # a supervisor's urging: told a reply-by day in 2098 it is recorded; one in 2099 (the setting of 10 working
    # days) is refused and nothing is recorded
    verifying = walk.cases[("objection", WAITING_PATHS["objection"])]
    urged = walk.urge(verifying)
    assert urged.status_code in (201, 302), urged.get_data(as_text=True)[:2000]
    assert walk.urgings() == 1
    with walk_app.app_context():
        from webapp.extensions import db

        settings.change(db.session, "supervision.reply_days", 10, SYSTEM)
        db.session.commit()
    before = walk.api.case(verifying)
    refused = walk.urge(verifying)
    walk.check_refusal(refused, ("urging", channel))
    after = walk.api.case(verifying)
    assert (after["version"], len(after["history"]), after["deadlines"]) == (
        before["version"], len(before["history"]), before["deadlines"])
    assert walk.urgings() == 1
    walk.assert_asked_once()

    # the lists and pages that show deadlines, with some of them waiting
    for username, path in (("office", "/cases"), ("office", "/inbox"), ("provider", "/inbox"),
                           ("supervisor", "/supervision/"), ("admin", "/notifications"), ("redco", "/cases")):
        walk.pages.login(username)
        assert walk.pages.get(path).status_code == 200, (username, path)
    assert walk.api("GET", "/api/v1/cases?overdue=true", "office").status_code == 200
    assert walk.api("GET", "/api/v1/supervision/dashboard", "supervisor").status_code == 200

    # 2099 is imported: what waited is scheduled, and the refused acceptance and urging go through
    waiting = open_timers(walk, "unscheduled")
    assert {kind for _, kind, *_ in waiting.values()} == {"verification", "review", "abuse_review", "publication"}
    imported = walk.api("PUT", f"/api/v1/admin/calendar/{MISSING}", "admin", json=json.loads(arrangement(MISSING)))
    assert imported.status_code == 200, imported.json
    walk.years = (KNOWN, MISSING)
    scheduled = open_timers(walk, "pending")
    for timer_id, (case_id, kind, *_) in waiting.items():
        assert timer_id in scheduled, (case_id, kind)
        *_, due_on, due_at = scheduled[timer_id]
        assert due_on.year == MISSING and due_at is not None, (case_id, kind, due_on)
    assert open_timers(walk, "unscheduled") == {}
    for process, index in WAITING_PATHS.items():
        case = walk.api.case(walk.cases[(process, index)])
        assert case["deadlines"] and all(d["status"] != "unscheduled" for d in case["deadlines"]), case["deadlines"]
        dated = [d for d in case["deadlines"] if d["due_on"] and d["due_on"].startswith(f"{MISSING}-")]
        assert dated and all(d["due_at"] and d["status"] == "on_track" for d in dated), case["deadlines"]

    process, index = REFUSED_THEN_TAKEN
    [*_, step] = WALK[process][index]
    walk.run(process, index, step._replace(refused=False))
    accepted = walk.api.case(walk.cases[(process, index)])
    assert accepted["state"] == "awaiting_materials"
    dues = {d["kind"]: (d["status"], d["due_on"]) for d in accepted["deadlines"] if d["kind"] != "acceptance"}
    assert set(dues) == {"materials", "processing"}, dues
    assert all(status == "on_track" and due_on.startswith(f"{MISSING}-") for status, due_on in dues.values()), dues
    urged = walk.urge(verifying)
    assert urged.status_code in (201, 302) and walk.urgings() == 2
    walk.assert_asked_once()


def test_the_walk_takes_every_human_action_of_every_process_and_names_the_system_ones():
    assert set(WALK) == set(DEFINITIONS)
    for name, definition in DEFINITIONS.items():
        assert definition.filing is not None and not definition.filing.automatic
        human = {definition.filing.name} | {a.name for a in definition.actions if not a.automatic}
        taken = {step.action for path in WALK[name] for step in path if not step.refused}
        assert human - taken == set(), f"{name}: the walk does not take {sorted(human - taken)}"
        assert taken <= human, f"{name}: not human actions of the process: {sorted(taken - human)}"
        for path in WALK[name]:
            assert path[0].action == definition.filing.name, f"{name}: a path begins with its filing"
            assert [step.day for step in path] == sorted(step.day for step in path), f"{name}: days in order"
            assert {step.day for step in path} <= {EARLY, WALK_DAY}, name
        for action in definition.actions:
            if action.automatic:
                assert f"`{action.name}`" in __doc__, f"{name}.{action.name}: name the system action in the docstring"
    for process, index in (*WAITING_PATHS.items(), REFUSED_THEN_TAKEN):
        assert WALK[process][index][-1].waits or WALK[process][index][-1].refused, (process, index)


@pytest.mark.parametrize("channel", ["api", "pages"])
def test_an_urging_given_a_reply_by_day_in_the_missing_year_is_refused_for_the_calendar(walk_app, travel, channel):
    walk = Walk(walk_app, channel)
    travel(WALK_DAY)
    walk.run("objection", 0, WALK["objection"][0][0])  # filed: its acceptance ends on the 29th
    case_id = walk.cases[("objection", 0)]
    before = walk.api.case(case_id)
    refused = walk.urge(case_id, reply_by=date(MISSING, 1, 5).isoformat())
    after = walk.api.case(case_id)
    assert (after["version"], len(after["history"]), after["deadlines"]) == (
        before["version"], len(before["history"]), before["deadlines"])
    assert walk.urgings() == 0
    walk.check_refusal(refused, ("urging", channel))
    walk.assert_asked_once()
