"""Red-list removal pages and rules on both databases: an abuse report with evidence decided on the case page,
a re-evaluation previewed and confirmed in bulk, and every refusal clear with nothing changed."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.integration.test_case_pages import PDF, field_error, file_objection, page_alert, text_of
from workflows.demo import ENTERPRISE_RED, ENTERPRISE_RED_2
from workflows.domain.errors import Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.services.casework.evidence import Upload
from workflows.services.processes import redlist_removal as removal
from workflows.services.processes import removal_rules
from workflows.store.cases import Case
from workflows.store.models import ListEntry, Subject

REASON = "该企业将政府采购优先资格转借关联企业使用。"


@pytest.fixture
def english(client, seeded):
    client.post("/lang/en")
    return client


def red(db_session, code=ENTERPRISE_RED) -> ListEntry:
    db_session.expire_all()
    return db_session.scalar(select(ListEntry).join(Subject).where(Subject.code == code, ListEntry.list_kind == "red"))


def state_of(entry: ListEntry) -> tuple:
    return entry.status, entry.exit_reason, sorted({m.status for m in entry.measures})


def removals(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Case).where(Case.process == "redlist_removal"))


def actor(db_session, username):
    return actor_for(find_user(db_session, username))


def report(client, code=ENTERPRISE_RED, files=True, reason=REASON):
    data = {"subject_code": code, "reason": reason}
    if files:
        data["files"] = [(io.BytesIO(PDF), "举报材料.pdf")]
    return client.post("/red-list/abuse-report", data=data, content_type="multipart/form-data")


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_abuse_report_with_evidence_then_confirmed_on_the_case_page(english, auth, db_session):
    auth.login("implementer")
    subject_page = english.get(f"/subjects/{ENTERPRISE_RED}").text
    assert f'href="/red-list/abuse-report?subject_code={ENTERPRISE_RED}"' in subject_page  # the way in
    assert f'value="{ENTERPRISE_RED}"' in english.get(f"/red-list/abuse-report?subject_code={ENTERPRISE_RED}").text
    response = report(english)
    case = db_session.scalars(select(Case).where(Case.process == "redlist_removal")).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}")
    assert (case.state, case.data["trigger"], len(case.evidence)) == ("reported", "abuse", 1)
    assert state_of(red(db_session)) == ("active", None, ["active"])
    own = english.get(f"/cases/{case.id}")  # the reporting department follows its report
    assert own.status_code == 200 and "action-confirm_abuse" not in own.text
    assert f'href="/cases/{case.id}"' in english.get("/cases").text
    auth.logout()
    auth.login("bank")  # another implementing department: not its report, not its entry
    assert english.get(f"/cases/{case.id}").status_code == 404
    auth.logout()
    auth.login("tax")
    page = english.get(f"/cases/{case.id}")
    assert "Confirm the abuse" in page.text and "Dismiss the report" in page.text
    response = english.post(f"/cases/{case.id}/actions/confirm_abuse",
                            data={"version": case.version, "reason": "经核查，举报属实。"})
    assert response.status_code == 302
    assert state_of(red(db_session)) == ("exited", "abuse", ["stopped"])  # in the decision's own transaction
    auth.logout()

    auth.login("redco")  # the subject contests the removal on the objection page
    form = english.get("/cases/new/objection").text
    assert f'value="{red(db_session).id}"' in form and "its removal from the red list" in form
    filed = file_objection(english, db_session, list_entry_id=str(red(db_session).id),
                           grounds="举报所称转借情况不属实，相关合同可以证明。")
    assert filed.status_code == 302, text_of(filed.text)[-3000:]
    objection = db_session.scalars(select(Case).where(Case.process == "objection")).one()
    assert objection.data["against_removal"] == case.id


def test_abuse_report_without_evidence_is_refused_and_changes_nothing(english, auth, db_session):
    auth.login("implementer")
    response = report(english, files=False)
    assert response.status_code == 422
    assert "needs evidence" in field_error(response.text, "files")
    assert removals(db_session) == 0 and state_of(red(db_session)) == ("active", None, ["active"])


def test_abuse_report_on_a_subject_not_on_the_red_list_is_refused(english, auth, db_session):
    from workflows.demo import ENTERPRISE_BLACK

    auth.login("implementer")
    response = report(english, code=ENTERPRISE_BLACK)
    assert response.status_code == 422 and "is not on the red list" in field_error(response.text, "subject_code")
    response = report(english, code="91350500MA2XN3KP0X")
    assert response.status_code == 422 and field_error(response.text, "subject_code")
    assert removals(db_session) == 0


def test_confirmation_by_another_department_is_refused_and_changes_nothing(seeded, db_session):
    entry = red(db_session)
    case = removal.open_removal(db_session, entry, "abuse", actor=actor(db_session, "implementer"), reason=REASON,
                                evidence=[Upload("e.pdf", PDF)], upload_dir=seeded.config["CREDIT_CASES"].upload_dir)
    db_session.commit()
    with pytest.raises(NotFound):  # another listing department does not even see the case
        removal.decide_abuse(db_session, case.id, "confirm_abuse", actor(db_session, "court"), "属实。")
    db_session.rollback()
    with pytest.raises(RoleNotAllowed, match="listing_department"):
        removal.decide_abuse(db_session, case.id, "confirm_abuse", actor(db_session, "office"), "属实。")
    db_session.rollback()
    with pytest.raises(RoleNotAllowed, match="only the department that listed the entry"):
        removal.open_removal(db_session, red(db_session, ENTERPRISE_RED_2), "criteria_changed",
                             actor=actor(db_session, "tax"), reason="标准已调整。")
    db_session.rollback()
    assert db_session.get(Case, case.id).state == "reported"
    assert state_of(red(db_session)) == ("active", None, ["active"])
    assert state_of(red(db_session, ENTERPRISE_RED_2)) == ("active", None, ["active"])


def test_a_second_removal_case_for_the_same_entry_is_refused(seeded, db_session):
    entry = red(db_session)
    first = removal.open_removal(db_session, entry, "abuse", actor=actor(db_session, "implementer"), reason=REASON,
                                 evidence=[Upload("e.pdf", PDF)], upload_dir=seeded.config["CREDIT_CASES"].upload_dir)
    db_session.commit()
    with pytest.raises(Conflict, match=f"already open \\(case #{first.id}\\)"):
        removal.open_removal(db_session, red(db_session), "abuse", actor=actor(db_session, "bank"), reason=REASON,
                             evidence=[Upload("e.pdf", PDF)])
    db_session.rollback()
    removal.decide_abuse(db_session, first.id, "confirm_abuse", actor(db_session, "tax"), "经核查属实。")
    db_session.commit()
    with pytest.raises(Conflict, match="no longer on the red list"):
        removal.open_removal(db_session, red(db_session), "expired", actor=removal_rules.SYSTEM)
    db_session.rollback()
    assert removals(db_session) == 1


def test_a_removal_is_opened_by_its_trigger_never_by_a_bare_filing(seeded, db_session):
    with pytest.raises(InvalidInput, match="opened by its trigger"):
        case_service.file_case(db_session, "redlist_removal", actor(db_session, "implementer"),
                               {"list_entry_id": red(db_session).id, "trigger": "abuse"})
    db_session.rollback()
    assert removals(db_session) == 0


def test_reevaluation_preview_then_bulk_confirmation(english, auth, db_session):
    auth.login("tax")
    rule = {"statement": "纳税信用A级认定标准调整为连续三年A级。", "category": "tax_credit"}
    preview = english.post("/red-list/re-evaluation", data={**rule, "preview": "1"})
    assert preview.status_code == 200
    entry = red(db_session)
    assert "1 entries would be removed" in text_of(preview.text) and f'value="{entry.id}"' in preview.text
    assert state_of(entry) == ("active", None, ["active"])  # a preview changes nothing
    done = english.post("/red-list/re-evaluation", data={**rule, "confirm": "1", "entry_ids": [str(entry.id)]})
    assert done.status_code == 302
    assert state_of(red(db_session)) == ("exited", "criteria_changed", ["stopped"])
    case = db_session.scalars(select(Case).where(Case.process == "redlist_removal")).one()
    assert (case.state, case.data["reason"]) == ("removed", rule["statement"])


def test_reevaluation_whose_rule_matches_nothing_is_refused(english, auth, db_session):
    auth.login("tax")
    response = english.post("/red-list/re-evaluation", data={"statement": "纳税信用认定标准已调整（测试）。",
                                                             "category": "contract_credit", "preview": "1"})  # SCJGJ's entry
    assert response.status_code == 422 and "matches none" in field_error(response.text, "category")
    entry = red(db_session, ENTERPRISE_RED_2)  # another department's entry cannot be slipped in
    response = english.post("/red-list/re-evaluation", data={"statement": "纳税信用认定标准已调整（测试）。",
                                                             "category": "tax_credit", "confirm": "1",
                                                             "entry_ids": [str(entry.id)]})
    assert response.status_code == 422 and "do not match the rule" in page_alert(response.text)
    assert removals(db_session) == 0 and state_of(entry) == ("active", None, ["active"])


def test_only_departments_open_the_removal_pages(english, auth):
    auth.login("redco")
    assert english.get("/red-list/abuse-report").status_code == 403
    assert english.get("/red-list/re-evaluation").status_code == 403
    auth.logout()
    auth.login("implementer")
    assert english.get("/red-list/abuse-report").status_code == 200
    assert english.get("/red-list/re-evaluation").status_code == 403


def test_a_bulk_import_that_blacklists_a_red_list_subject_removes_its_red_entry_in_the_same_transaction(
        seeded, db_session):
    from tests.integration.test_bulk_import import ACTOR, TODAY, csv_file, good_row
    from workflows.services.lists.bulk_import import import_listings

    import_listings(db_session, "listings.csv", csv_file([good_row(ENTERPRISE_RED)]), ACTOR, department_code="FY",
                    today=TODAY)
    assert state_of(red(db_session)) == ("exited", "blacklisted", ["stopped"])  # before the commit, in its session
    db_session.rollback()  # and with the import undone, so is the removal
    assert state_of(red(db_session)) == ("active", None, ["active"]) and removals(db_session) == 0
