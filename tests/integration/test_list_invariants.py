"""The lists are true at every moment: random sequences of listings, objections (also against removals),
abuse reports, re-evaluations, credit repairs and the passing of time, driven through the services and
the flows' steps, never break the invariants of the lists:

1. no subject has an open red-list entry together with an open blacklist or key-attention entry;
2. no measure is active on a suspended, exited or purged entry, nor on an entry derived from a suspended or
   purged one (nothing derived from a disputed record takes effect; a wrong listing is undone in full);
3. no purged entry keeps personal data, and once the flows have run, nothing of a purged entry (its document
   number, unique per listing here) is left in any table or in the database file.

SQLite only (the rules are the database's business only through the services); the flows' steps run
in-process, in order, without Prefect, so each example takes a fraction of a second.
"""
from __future__ import annotations

import itertools
import json
import shutil
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import JSON, MetaData, String, Text, select

from sla import calendar
from tests.integration.list_rules import lists_are_true
from workflows.config import Config
from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_RED, PERSON_BLACK, seed
from workflows.domain.errors import DomainError
from workflows.domain.process import Actor
from workflows.services.admin import settings as settings_service
from workflows.services.admin.accounts import find_user
from workflows.services.casework.actors import actor_for
from workflows.services.casework.cases import file_case, take_action
from workflows.services.casework.evidence import Upload
from workflows.services.lists import listings
from workflows.services.processes import redlist_removal as removal
from workflows.steps import EVENT_PLANS, STEPS, plan_of
from workflows.steps import runtime as flow_runtime
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case
from workflows.store.db import make_session_factory
from workflows.store.models import ListEntry, Subject

SUBJECTS = {ENTERPRISE_RED: "redco", ENTERPRISE_BLACK: "applicant", PERSON_BLACK: "person"}
LISTING = {"red": ("SWJ", ["I-GREEN", "I-PROC"]), "black": ("FY", ["P-PROC", "P-FIN"]),
           "key_attention": ("SCJGJ", ["P-INSPECT"])}
DECIDER = {"SWJ": "tax", "FY": "court", "SCJGJ": "provider"}
START = datetime(2026, 3, 2, 9, tzinfo=calendar.ZONE)
END = datetime(2026, 11, 20, tzinfo=calendar.ZONE)  # the calendar has data for every working day up to here


def _plans() -> dict[str, dict[str, list[str]]]:
    from workflows.processes import DEFINITIONS

    return {"objection": plan_of(DEFINITIONS["objection"]), "redlist_removal": plan_of(DEFINITIONS["redlist_removal"]),
            "lists": EVENT_PLANS["lists"], "repair_exit": plan_of(DEFINITIONS["repair_exit"])}


class ListsStayTrue(RuleBasedStateMachine):
    template: str = ""
    workdir = None
    seen: set = set()  # what the examples did: removal triggers, objection states

    def __init__(self):
        super().__init__()
        path = self.workdir / f"{uuid.uuid4().hex}.sqlite"
        shutil.copy(self.template, path)
        self.url = f"sqlite:///{path}"
        flow_runtime.configure(Config(instance_path=self.workdir, database_url=self.url, secret_key="x", testing=True))
        self.path = path
        self.documents: dict[int, str] = {}  # entry id -> its listing's document number (unique)
        self.numbers = itertools.count(1)
        self.factory = make_session_factory(self.url)
        self.session = self.factory()
        self.now = START
        seed(self.session, today=START.date())
        settings_service.change(self.session, "repair.min_listing_months", 0, Actor.system())
        for key in ("repair.proof_required", "repair.proof_required.market_regulation"):
            settings_service.change(self.session, key, False, Actor.system())
        self.session.commit()
        self.plans = _plans()
        self.drain()

    def teardown(self):
        self.session.close()
        self.factory.kw["bind"].dispose()

    # --- helpers ---

    def actor(self, username: str) -> Actor:
        return actor_for(find_user(self.session, username))

    def attempt(self, action) -> None:
        """One service call in one transaction: refused input changes nothing; then the invariants, then the flows."""
        try:
            action()
            self.session.commit()
        except DomainError:
            self.session.rollback()
        self.check()
        self.drain()

    def drain(self) -> None:
        """Carry out every pending event's steps, in order, as the worker's flows would."""
        for _ in range(50):
            events = list(self.session.scalars(select(OutboxEvent).where(OutboxEvent.status == "pending")
                                               .order_by(OutboxEvent.id)))
            if not events:
                return
            for event in events:
                case = self.session.get(Case, event.case_id) if event.case_id else None
                for name in self.plans.get(event.process, {}).get(event.kind, []):
                    STEPS[name](self.session, event, case)
                    self.session.commit()
                    self.check()
                event.status = "done"
                self.session.commit()
        raise AssertionError("events keep coming")

    def entry(self, code: str, kind: str) -> ListEntry | None:
        return self.session.scalars(select(ListEntry).join(Subject).where(Subject.code == code,
                                                                          ListEntry.list_kind == kind)
                                    .order_by(ListEntry.id.desc())).first()

    def open_case(self, process: str, code: str) -> Case | None:
        return self.session.scalars(select(Case).join(Subject, Subject.id == Case.subject_id).where(
            Case.process == process, Subject.code == code, Case.closed_at.is_(None)).order_by(Case.id.desc())).first()

    # --- the invariants ---

    def check(self) -> None:
        self.session.expire_all()
        entries = lists_are_true(self.session)
        type(self).seen.update(f"purged:{entry.list_kind}" for entry in entries if entry.status == "purged")
        # what the sequence reached so far (read now: a later purge erases the texts of the entry's cases)
        type(self).seen.update(t for (t,) in self.session.execute(
            select(Case.data["trigger"].as_string()).where(Case.process == "redlist_removal")))
        type(self).seen.update(f"objection:{s}" for (s,) in self.session.execute(
            select(Case.state).where(Case.process == "objection")))

    @invariant()
    def lists_are_true(self):
        self.check()

    @invariant()
    def nothing_of_a_purged_entry_is_left(self):
        """After the flows ran (each rule drains them): no table row and no byte of the file keeps it."""
        purged = {self.documents[e] for e in self.session.scalars(select(ListEntry.id).where(
            ListEntry.status == "purged")) if e in self.documents}
        if not purged:
            return
        # unique per listing: only an entry that followed from the purged one carries it too, and goes with it
        metadata = MetaData()
        metadata.reflect(bind=self.session.connection())
        found = []
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for row in (self.session.execute(select(*columns)).all() if columns else []):
                text = json.dumps(list(row), ensure_ascii=False, default=str)
                found += [f"{table.name}: {n}" for n in purged if n in text]
        self.session.commit()
        data = b"".join(p.read_bytes() for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                        if p.exists())
        found += [f"file: {n}" for n in purged if n.encode() in data or json.dumps(n)[1:-1].encode() in data]
        assert not found, found

    # --- what people and time do ---

    @rule(code=st.sampled_from(list(SUBJECTS)), kind=st.sampled_from(list(LISTING)), days=st.integers(3, 120),
          category=st.sampled_from(["tax_credit", "contract_credit"]))
    def list_subject(self, code, kind, days, category):
        department, measures = LISTING[kind]
        today = calendar.local_date(self.now)
        number = f"测试文号{next(self.numbers):04d}号"
        request = listings.ListingRequest(code, SUBJECTS[code], kind, department, "列入依据（测试）", number,
                                          today, today + timedelta(days=days), measures,
                                          category if kind == "red" else "", "信用中国网站")

        def run():
            entry = listings.record_listing(self.session, request, Actor.system("listing"), now=self.now)
            self.documents[entry.id] = number

        self.attempt(run)

    @rule(code=st.sampled_from(list(SUBJECTS)), kind=st.sampled_from(list(LISTING)), accept=st.booleans())
    def object_to_entry(self, code, kind, accept):
        entry = self.entry(code, kind)
        if entry is None:
            return
        self.attempt(lambda: file_case(self.session, "objection", self.actor(SUBJECTS[code]),
                                       {"list_entry_id": entry.id, "grounds": "该信息有误，请予核实。" * 2}, now=self.now))
        case = self.open_case("objection", code)
        if accept and case is not None and case.state == "submitted":
            self.attempt(lambda: take_action(self.session, case.id, "accept", self.actor("office"), now=self.now))

    def has(self, process: str | None = None, kind: str | None = None, status: str | None = None) -> bool:
        if process:
            return self.session.scalar(select(Case.id).where(Case.process == process, Case.closed_at.is_(None))
                                       .limit(1)) is not None
        query = select(ListEntry.id).where(ListEntry.list_kind == kind, ListEntry.status.in_(status.split("|")))
        return self.session.scalar(query.limit(1)) is not None

    @precondition(lambda self: self.has("objection"))
    @rule(which=st.integers(0, 5),
          decision=st.sampled_from(["refuse", "confirm", "revoke", "withdraw", "correct_stop", "correct_resume"]))
    def decide_objection(self, which, decision):
        cases = list(self.session.scalars(select(Case).where(Case.process == "objection", Case.closed_at.is_(None))
                                          .order_by(Case.id)))
        if not cases:
            return
        case = cases[which % len(cases)]
        if decision == "refuse":
            actor, params = self.actor("office"), {"reason": "形式审查意见。"}
        elif decision == "withdraw":
            actor, params = self.actor(SUBJECTS[case.subject.code]), {}
        else:
            actor = self.actor(DECIDER[case.department.code])
            params = {"reason": "核实意见。", "correction": "已更正。", "basis": "列入依据（更正）",
                      "measures": "stop" if decision == "correct_stop" else "resume"}
        action = decision.split("_")[0]
        self.attempt(lambda: take_action(self.session, case.id, action, actor, params, now=self.now))

    @precondition(lambda self: self.has(kind="red", status="active|suspended"))
    @rule(code=st.sampled_from(list(SUBJECTS)), confirm=st.booleans(), with_evidence=st.booleans())
    def report_abuse(self, code, confirm, with_evidence):
        entry = self.entry(code, "red")
        if entry is None:
            return
        evidence = [Upload("e.pdf", b"%PDF-1.4 test")] if with_evidence else []
        self.attempt(lambda: removal.open_removal(self.session, entry, "abuse", actor=self.actor("implementer"),
                                                  now=self.now, reason="不当利用红名单激励。" * 2, evidence=evidence,
                                                  upload_dir=self.workdir / "uploads"))
        case = self.open_case("redlist_removal", code)
        if case is not None and case.state == "reported":
            self.attempt(lambda: removal.decide_abuse(self.session, case.id, "confirm_abuse" if confirm else "dismiss",
                                                      self.actor("tax"), "认定意见。", now=self.now))

    @precondition(lambda self: self.has(kind="red", status="active|suspended"))
    @rule(category=st.sampled_from(["tax_credit", "contract_credit"]))
    def reevaluate(self, category):
        rule_ = removal.Reevaluation("认定标准已调整（测试）。", category=category)

        def run():
            matching = removal.reevaluation_preview(self.session, self.actor("tax"), rule_)
            removal.confirm_reevaluation(self.session, self.actor("tax"), rule_, [e.id for e in matching], now=self.now)

        self.attempt(run)

    @precondition(lambda self: self.has(kind="black", status="active"))
    @rule(code=st.sampled_from(list(SUBJECTS)))
    def repair(self, code):
        entry = self.entry(code, "black")
        if entry is None or entry.status != "active":
            return
        applicant = self.actor(SUBJECTS[code])

        def run():
            case = file_case(self.session, "repair_exit", applicant,
                             {"list_entry_id": entry.id, "rectification": "已全部履行判决义务并缴清罚款。"}, now=self.now)
            take_action(self.session, case.id, "submit", applicant, {"commitment_signed": True}, now=self.now)
            take_action(self.session, case.id, "accept", self.actor("office"), now=self.now)
            take_action(self.session, case.id, "approve", self.actor(DECIDER[entry.department.code]),
                        {"key_attention_months": 6}, now=self.now)

        self.attempt(run)

    @precondition(lambda self: self.now < END)
    @rule(days=st.integers(1, 60))
    def time_passes(self, days):
        from workflows.automation.sweep import sweep

        self.now = min(self.now + timedelta(days=days), END)
        sweep(self.session, now=self.now)
        self.session.commit()
        self.check()
        self.drain()


@pytest.fixture
def machine(sqlite_template, tmp_path):
    ListsStayTrue.template, ListsStayTrue.workdir, ListsStayTrue.seen = str(sqlite_template), tmp_path, set()
    return ListsStayTrue


def test_the_lists_stay_true_whatever_happens(machine):
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(machine, settings=settings(
        max_examples=10, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    # the sequences reached every kind of removal and objections both ways, not only refusals


def test_a_known_sequence_reaches_every_trigger_and_keeps_the_lists_true(machine):
    """The same machine driven through one story, so every way off the red list is surely among the steps."""
    state = machine()
    try:
        state.report_abuse(ENTERPRISE_RED, confirm=True, with_evidence=True)  # abuse
        state.object_to_entry(ENTERPRISE_RED, "red", accept=True)  # against the removal: incentives in force
        state.decide_objection(0, "revoke")  # the removal reversed
        state.reevaluate("tax_credit")  # criteria_changed
        state.list_subject(ENTERPRISE_RED, "red", 90, "contract_credit")
        state.object_to_entry(ENTERPRISE_RED, "red", accept=True)
        state.decide_objection(0, "revoke")  # objection_revoked: purged
        state.list_subject(ENTERPRISE_RED, "red", 90, "contract_credit")
        state.list_subject(ENTERPRISE_RED, "black", 90, "")  # blacklisted
        state.list_subject(ENTERPRISE_RED, "red", 90, "contract_credit")  # refused while on the blacklist
        for _ in range(5):
            state.time_passes(60)  # expired (the second red-list enterprise, and the blacklist itself)
        assert {"abuse", "criteria_changed", "objection_revoked", "blacklisted", "expired", "purged:red",
                "objection:closed"} <= machine.seen, machine.seen
    finally:
        state.teardown()


def test_listing_a_blacklisted_subject_on_the_red_list_is_refused(machine):
    state = machine()
    try:
        request = listings.ListingRequest(ENTERPRISE_BLACK, "applicant", "red", "SWJ", "依据", "文号", START.date(),
                                          START.date() + timedelta(days=30), ["I-GREEN"], "tax_credit")
        with pytest.raises(DomainError, match="blacklist"):
            listings.record_listing(state.session, request, Actor.system(), now=state.now)
    finally:
        state.session.rollback()
        state.teardown()

