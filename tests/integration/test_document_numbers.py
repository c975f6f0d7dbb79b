"""Document numbers under concurrency: decisions of one department issued from many threads at once, some rolled
back, leave numbers 1..n each given once and none skipped; and the administrator's pattern is checked."""
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from workflows.domain.documents import check_pattern, number_of
from workflows.domain.errors import InvalidInput
from workflows.services.documents import issuing
from workflows.store.db import make_session_factory
from workflows.store.documents import DecisionDocument
from workflows.store.models import Department

THREADS, EACH = 8, 6
ISSUED = datetime(2026, 11, 2, 1, tzinfo=UTC)  # a working morning of 2026 in the city: numbers of 2026


def issue_from_threads(database_url, department_id):
    """THREADS threads start together; each issues EACH documents, rolling every third one back."""
    factory = make_session_factory(database_url)
    barrier = threading.Barrier(THREADS)
    errors = []

    def work(worker):
        try:
            barrier.wait()
            for i in range(EACH):
                with factory() as session:
                    issuing.issue(session, "refusal", department_id, ISSUED, f"worker {worker}", [f"#{i}"])
                    (session.rollback if i % 3 == 2 else session.commit)()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    factory.kw["bind"].dispose()
    return errors


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_decisions_take_every_number_once_without_gaps(seeded, db_session, database_url):
    department_id = db_session.scalar(select(Department.id).where(Department.code == "CZJ"))
    db_session.commit()
    assert issue_from_threads(database_url, department_id) == []
    db_session.expire_all()
    issued = db_session.execute(select(DecisionDocument.sequence, DecisionDocument.number)
                                .where(DecisionDocument.department_id == department_id)).all()
    committed = THREADS * (EACH - EACH // 3)
    assert sorted(s for s, _ in issued) == list(range(1, committed + 1))
    assert len({n for _, n in issued}) == committed
    assert all("〔2026〕" in n for _, n in issued)  # counted in the year the decisions were made


def test_a_pattern_names_the_year_and_the_number():
    assert check_pattern(" 珠信{kind}〔{year}〕{n}号 ") == "珠信{kind}〔{year}〕{n}号"
    assert number_of("珠信{kind}〔{year}〕{n}号", department="市信用办", kind="repair_decision", year=2026,
                     n=15) == "珠信修〔2026〕15号"
    assert number_of("", department="市财政局", kind="refusal", year=2026, n=3) == "市财政局不受〔2026〕3号"
    for bad in ("珠信〔2026〕{n}号", "珠信〔{year}〕号", "珠信〔{year}〕{n}号{x}", "珠信〔{year}〕{n", "{year}{n:q}",
                "", "x" * 61, "{year}\n{n}"):
        with pytest.raises(InvalidInput) as caught:
            check_pattern(bad)
        assert caught.value.field == "pattern"


def test_a_chinese_reader_writes_the_placeholders_in_chinese():
    from workflows.domain.documents import pattern_for_reader

    assert check_pattern("珠信{类别}〔{年份}〕{序号}号") == "珠信{kind}〔{year}〕{n}号"
    assert pattern_for_reader("{department}{kind}〔{year}〕{n}号", "zh") == "{部门}{类别}〔{年份}〕{序号}号"
    assert pattern_for_reader("{department}{kind}〔{year}〕{n}号", "en") == "{department}{kind}〔{year}〕{n}号"
