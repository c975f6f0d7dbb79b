"""The commitment, the materials' state folded from the history, and the process's guards (pure)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from workflows.domain.commitment import (
    MISSING, REJECTED, SUBMITTED, SUPPLIED, VERIFIED, CaseEvent, Material, commitment_text, lines_for, project,
)
from workflows.domain.errors import GuardFailed, InvalidInput
from workflows.domain.process import Actor, CaseView
from workflows.domain.roles import Role
from workflows.processes.conditional_acceptance import CONDITIONAL_ACCEPTANCE as P

MATERIALS = [Material(11, "营业执照复印件", True, "Business licence"), Material(12, "平面图", False, "Floor plan"),
             Material(13, "管理制度", False, "Rules")]
AT = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def due(accepted_at, days):  # calendar days stand in for working days here
    return accepted_at.date() + timedelta(days=days)


def test_a_statutory_core_material_cannot_be_missing():
    with pytest.raises(InvalidInput) as error:
        lines_for(MATERIALS, [11])
    assert error.value.field == "missing"
    assert error.value.message == "'营业执照复印件' is a statutory core material: it cannot be missing"


@pytest.mark.parametrize("missing, message", [
    ([99], "material 99 is not one of this matter's materials"),
    (["abc"], "must be a whole number, got 'abc'"),
    ([], "nothing is missing"),
])
def test_unknown_malformed_or_no_missing_material_is_refused(missing, message):
    with pytest.raises(InvalidInput, match=message):
        lines_for(MATERIALS, missing)


def test_lines_number_the_materials_and_mark_what_is_supplied():
    lines = lines_for(MATERIALS, ["13"])
    assert [(l.no, l.supplied) for l in lines] == [(1, True), (2, True), (3, False)]


def test_the_commitment_names_each_missing_item_the_deadline_and_the_consequence():
    missing = [l for l in lines_for(MATERIALS, [12, 13]) if not l.supplied]
    zh, en = commitment_text(subject="泉州守信制造有限公司", matter="食品经营许可", matter_en="Food business licence",
                             missing=missing, days=10, years=3)
    assert "1. 平面图" in zh and "2. 管理制度" in zh and "10个工作日内" in zh
    assert "失信记录记入" in zh and "移出红名单" in zh
    assert "1. Floor plan" in en and "within 10 working days" in en
    assert "the application ends" in en and "may not use conditional acceptance for 3 years" in en


def test_the_state_of_each_item_is_folded_from_the_history():
    lines = lines_for(MATERIALS, [12, 13])
    events = [CaseEvent("accept_with_commitment", AT, {"days_2": 5}),
              CaseEvent("submit_materials", AT, {"item": 2}),
              CaseEvent("verify_materials", AT, {"item": 2, "result": REJECTED, "reason": "unsigned"}),
              CaseEvent("submit_materials", AT, {"item": 3}),
              CaseEvent("extend", AT, {"days": 2, "reason": "typhoon"})]
    state = project(lines, events, default_days=10, due=due)
    assert [i.status for i in state.items] == [SUPPLIED, REJECTED, SUBMITTED]
    assert state.item(2).reason == "unsigned"
    assert state.item(2).due_on == date(2026, 12, 8)  # 5 + 2 days
    assert state.item(3).due_on == date(2026, 12, 13)  # the default 10 + 2 days
    assert [i.no for i in state.outstanding()] == [2]
    assert state.extended and state.extension_reason == "typhoon"
    done = project(lines, events + [CaseEvent("submit_materials", AT, {"item": 2}),
                                    CaseEvent("verify_materials", AT, {"item": 2, "result": VERIFIED}),
                                    CaseEvent("verify_materials", AT, {"item": 3, "result": VERIFIED})],
                   default_days=10, due=due)
    assert done.all_verified() and done.earliest_due() is None


WINDOW = Actor(7, frozenset({Role.IMPLEMENTING_DEPARTMENT}), department_id=3)
APPLICANT = Actor(8, frozenset({Role.APPLICANT}), subject_id=5)


def view(state, **facts):
    base = {"item_status": {1: SUPPLIED, 2: MISSING}, "processing_days": 20, "extended": False, "extension_room": 10}
    return CaseView("conditional_acceptance", state, 5, 3, {**base, **facts})


def test_a_deadline_beyond_the_matters_processing_time_is_refused():
    with pytest.raises(InvalidInput) as error:
        P.apply(view("submitted"), "accept_with_commitment", WINDOW, {"days_2": 21})
    assert "later than the matter's processing time (20 working days)" in str(error.value)
    assert P.apply(view("submitted"), "accept_with_commitment", WINDOW, {"days_2": 20}).target == "awaiting_materials"
    with pytest.raises(InvalidInput, match="not one of the missing materials"):
        P.apply(view("submitted"), "accept_with_commitment", WINDOW, {"days_1": 5})


def test_only_one_extension_and_never_past_the_processing_time():
    with pytest.raises(GuardFailed, match="only one extension is allowed"):
        P.apply(view("awaiting_materials", extended=True), "extend", WINDOW, {"days": 2, "reason": "storm"})
    with pytest.raises(InvalidInput, match="would end after the matter's processing time"):
        P.apply(view("awaiting_materials"), "extend", WINDOW, {"days": 11, "reason": "storm"})
    assert P.apply(view("awaiting_materials"), "extend", WINDOW, {"days": 10, "reason": "storm"}).target


def test_materials_move_only_in_their_order_and_a_rejection_needs_a_reason():
    with pytest.raises(InvalidInput, match="material 1 is not one of the missing materials"):
        P.apply(view("awaiting_materials"), "submit_materials", APPLICANT, {"item": 1, "files": ["a.pdf"]})
    with pytest.raises(InvalidInput, match="material 2 is missing: it cannot be verified now"):
        P.apply(view("awaiting_materials"), "verify_materials", WINDOW, {"item": 2, "result": VERIFIED})
    submitted = view("awaiting_materials", item_status={1: SUPPLIED, 2: SUBMITTED})
    with pytest.raises(InvalidInput, match="say why the material is rejected"):
        P.apply(submitted, "verify_materials", WINDOW, {"item": 2, "result": REJECTED})


def test_the_decision_waits_until_every_missing_item_is_verified():
    system = Actor.system()
    with pytest.raises(GuardFailed, match="not every missing material is verified"):
        P.apply(view("awaiting_materials", item_status={1: SUPPLIED, 2: SUBMITTED}), "complete_materials", system)
    done = view("awaiting_materials", item_status={1: SUPPLIED, 2: VERIFIED})
    assert P.apply(done, "complete_materials", system).target == "materials_complete"


def test_a_material_is_supplied_with_its_file_never_without():
    with pytest.raises(InvalidInput, match="'files' is required for 'submit_materials'"):
        P.apply(view("awaiting_materials"), "submit_materials", APPLICANT, {"item": 3})
