"""The winner sees the outcome: after an upheld objection purges a listing made in error, the applicant's own case
says what it means (record deleted, measures stopped, revocation announced) and still shows what it filed (its
grounds, contact and its files' names) with the listing's own texts erased; staff see the outcome, not the filing."""
from sqlalchemy import select

from tests.integration.test_purge_scan import (  # noqa: F401 - its fixtures
    BASIS, DOCUMENT_NO, FILE_NAME, GROUNDS, NAME, PHONE, gateway, revoked)
from workflows.demo import DEMO_PASSWORD, PERSON_BLACK
from workflows.store.cases import KeptFiling
from workflows.store.models import ListEntry, Measure


def page_of(world, username, case_id):
    client = world.app.test_client()
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    return client.get(f"/cases/{case_id}")


def test_the_applicant_reads_the_outcome_and_its_own_filing(world, revoked):  # noqa: F811
    entry_id, case_id = revoked
    stopped = world.query(lambda s: len(s.scalars(select(Measure).where(Measure.list_entry_id == entry_id,
                                                                        Measure.status == "stopped")).all()))
    assert stopped >= 1 and world.query(lambda s: s.get(ListEntry, entry_id).status) == "purged"
    response = page_of(world, "person", case_id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "处理结果：该记录系错误列入，已予撤销" in page and "该记录已从名单中删除" in page
    assert f"据此实施的 {stopped} 项联合惩戒措施已停止执行" in page and "发布撤销公告" in page
    # its own filing, readable to itself: grounds (the listing's document number erased), contact, files' names
    assert GROUNDS.replace(DOCUMENT_NO, "***") in page and PHONE in page and NAME in page
    assert FILE_NAME in page and "已随记录删除" in page
    assert DOCUMENT_NO not in page and BASIS not in page and "***</dd>" not in page.replace(" ", "")


def test_staff_read_the_outcome_but_not_the_filing(world, revoked):  # noqa: F811
    _entry_id, case_id = revoked
    page = page_of(world, "office", case_id).get_data(as_text=True)
    assert "处理结果：该记录系错误列入，已予撤销" in page
    assert NAME not in page and PERSON_BLACK not in page and PHONE not in page and FILE_NAME not in page
    kept = world.query(lambda s: s.scalars(select(KeptFiling)).all())
    assert [k.case_ref for k in kept] == [case_id]
    assert page_of(world, "applicant", case_id).status_code == 404  # another applicant: no such case
