"""Bulk listing import of 10,000 rows (`make bench`; the figures are in docs/performance.md, "Bulk listing import").

The file is a CSV of 10,000 new enterprises put on the blacklist with two measures each: validation
(codes, catalogue, dates, duplicates against the open entries) and the set-based recording of subjects,
entries, measures and history in one transaction, plus the one outbox event the listing flow fans out.
"""
from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app
from workflows.demo import enterprise_code, seed
from workflows.domain.process import Actor
from workflows.services.lists.bulk_import import import_listings
from workflows.services.lists.listings import ListingRequest, record_listing
from workflows.store.models import ListEntry, Measure

ROWS = 10_000
HEADER = "subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures\n"
ACTOR = Actor(user_id=None, label="bench")
TODAY = date(2026, 11, 20)


def big_file(rows: int, start: int = 0) -> bytes:
    lines = [f"{enterprise_code(f'91440400{start + i:09d}')},批量导入企业{start + i},black,《某条例》第十条,"
             f"珠市监〔2026〕{i}号,2026-11-01,2029-11-01,P-PROC;P-FIN\n" for i in range(rows)]
    return (HEADER + "".join(lines)).encode("utf-8")


@pytest.mark.bench
def test_ten_thousand_rows(database_url, tmp_path):
    from webapp.extensions import db

    app = make_app(database_url, tmp_path / "instance")
    content = big_file(ROWS)
    with app.app_context():
        seed(db.session)
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(ListEntry))
        started, cpu = time.perf_counter(), time.process_time()
        entries = import_listings(db.session, "big.csv", content, ACTOR, department_code="SCJGJ", today=TODAY)
        db.session.commit()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert len(entries) == ROWS
        assert db.session.scalar(select(func.count()).select_from(ListEntry)) == before + ROWS
        assert db.session.scalar(select(func.count()).select_from(Measure)
                                 .where(Measure.list_entry_id.in_([e.id for e in entries[:500]]))) == 1000
        print(f"\n{database_url.split(':')[0]}: {ROWS:,} rows validated and recorded in {seconds:.1f} s "
              f"({cpu:.1f} s of this process's CPU; the rest is the database and the machine's other load)")

        # the row-by-row path it replaced, on 1,000 rows, for comparison
        requests = [ListingRequest(enterprise_code(f"91440400{500_000 + i:09d}"), f"逐行企业{i}", "black", "SCJGJ",
                                   "《某条例》第十条", "文号", date(2026, 11, 1), date(2029, 11, 1), ["P-PROC", "P-FIN"])
                    for i in range(1000)]
        started, cpu = time.perf_counter(), time.process_time()
        for request in requests:
            record_listing(db.session, request, ACTOR)
        db.session.commit()
        print(f"{database_url.split(':')[0]}: 1,000 rows row by row in {time.perf_counter() - started:.1f} s "
              f"({time.process_time() - cpu:.1f} s CPU)")
        db.session.remove()
        db.engine.dispose()
