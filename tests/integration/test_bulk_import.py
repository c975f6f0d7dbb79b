"""Bulk listings from CSV and XLSX: every bad row reported with row, column and message; all or nothing."""
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from workflows.demo import ENTERPRISE_BLACK, enterprise_code
from workflows.domain.process import Actor
from workflows.services.lists.bulk_import import ImportRejected, import_listings
from workflows.store.models import ListEntry, Measure

TODAY = date(2026, 11, 20)
HEADER = "subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures\n"
ACTOR = Actor(user_id=None, label="test")


def codes(n, start=0):
    return [enterprise_code(f"91440400{(start + i):09d}") for i in range(n)]


def csv_file(rows):
    return (HEADER + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8")


def good_row(code, kind="black", measures="P-PROC;P-FIN"):
    return [code, "某公司", kind, "某条例第十条", "文号", "2026-11-01", "2028-11-01", measures]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_mixed_file_reports_every_bad_row_and_writes_nothing(seeded, db_session):
    good = codes(3)
    rows = [
        good_row(good[0]),
        good_row("91110000600037341A"),  # wrong check character
        good_row(good[1], measures="P-PROC;NOPE"),  # unknown measure
        [good[2], "某公司", "black", "依据", "文号", "2020-01-01", "2021-01-01", "P-PROC"],  # validity in the past
        good_row(good[0]),  # duplicate of row 2
        good_row(ENTERPRISE_BLACK),  # already on the blacklist
        good_row(good[2], kind="grey"),
    ]
    entries, measures = count(db_session, ListEntry), count(db_session, Measure)
    with pytest.raises(ImportRejected) as caught:
        import_listings(db_session, "listings.csv", csv_file(rows), ACTOR, department_code="SCJGJ", today=TODAY)
    db_session.rollback()
    found = {(p.row, p.column) for p in caught.value.problems}
    assert {(3, "subject_code"), (4, "measures"), (5, "valid_until"), (6, "subject_code"), (7, "subject_code"),
            (8, "list")} <= found
    assert (2, "subject_code") not in found
    assert all(p.message for p in caught.value.problems)
    assert (count(db_session, ListEntry), count(db_session, Measure)) == (entries, measures)


def test_good_csv_records_every_row_with_its_measures(seeded, db_session):
    rows = [good_row(code) for code in codes(50)]
    before = count(db_session, ListEntry)
    entries = import_listings(db_session, "listings.csv", csv_file(rows), ACTOR, department_code="SCJGJ", today=TODAY)
    db_session.commit()
    assert len(entries) == 50 and count(db_session, ListEntry) == before + 50
    assert {len(e.measures) for e in entries} == {2}


def test_xlsx_with_real_dates_and_gb18030_csv(seeded, db_session):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([codes(1, 100)[0], "表格公司", "red", "守合同重信用", "文号", date(2026, 11, 1), date(2027, 11, 1), "I-GREEN"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(import_listings(db_session, "list.xlsx", buffer.getvalue(), ACTOR, department_code="SWJ",
                               today=TODAY)) == 1
    gbk = csv_file([good_row(codes(1, 200)[0])]).decode("utf-8").encode("gb18030")
    assert len(import_listings(db_session, "list.csv", gbk, ACTOR, department_code="SCJGJ", today=TODAY)) == 1


def test_missing_columns_and_empty_files(seeded, db_session):
    with pytest.raises(ImportRejected) as caught:
        import_listings(db_session, "x.csv", b"subject_code,list\n", ACTOR, department_code="SCJGJ", today=TODAY)
    assert {p.column for p in caught.value.problems} >= {"basis", "valid_until", "measures"}
    with pytest.raises(ImportRejected):
        import_listings(db_session, "x.csv", HEADER.encode(), ACTOR, department_code="SCJGJ", today=TODAY)
    with pytest.raises(ImportRejected):
        import_listings(db_session, "x.xlsx", b"PK\x03\x04 not really", ACTOR, department_code="SCJGJ", today=TODAY)
