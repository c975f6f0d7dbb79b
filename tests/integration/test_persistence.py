"""Migrations, model round trips and the append-only history, on SQLite and PostgreSQL."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from workflows.domain.errors import Conflict, InvalidInput
from workflows.domain.lists import ExitReason
from workflows.domain.process import Actor
from workflows.services.admin import calendar_imports, settings
from workflows.services.lists import listings
from workflows.store.base import utcnow
from workflows.store.migrate import current_revisions, heads
from workflows.store.models import AppendOnlyViolation, HistoryEntry, ListEntry, Measure, Subject

ADMIN = Actor(user_id=None, label="test")
TODAY = date(2026, 11, 20)


def request(**overrides):
    values = dict(subject_code="91110000600037341L", subject_name="测试企业", list_kind="black",
                  department_code="SCJGJ", basis="某条例第十条", document_no="文号1", listed_on=TODAY,
                  valid_until=date(2028, 11, 20), measure_codes=["P-PROC", "P-FIN"])
    values.update(overrides)
    return listings.ListingRequest(**values)


def test_migrations_from_empty_reach_head(database_url, db_session):
    assert current_revisions(database_url) == heads()
    tables = set(inspect(db_session.get_bind()).get_table_names())
    assert {"departments", "users", "subjects", "list_entries", "measures", "measure_catalogue", "history",
            "settings", "calendar_years"} <= tables


def test_listing_round_trip_with_measures_and_history(seeded, db_session):
    entry_id = listings.record_listing(db_session, request(), ADMIN).id
    db_session.commit()
    db_session.expunge_all()
    stored = db_session.get(ListEntry, entry_id)
    assert stored.subject.code == "91110000600037341L"
    assert stored.status == "active" and stored.valid_until == date(2028, 11, 20)
    assert [m.catalogue.code for m in stored.measures] == ["P-PROC", "P-FIN"]
    assert {m.department.code for m in stored.measures} == {"CZJ", "RMYH"}
    assert stored.created_at.tzinfo is not None
    actions = db_session.scalars(select(HistoryEntry.action).order_by(HistoryEntry.id)).all()
    assert actions[-3:] == ["list", "apply_measure", "apply_measure"]


def test_state_cannot_be_assigned_directly(seeded, db_session):
    entry = listings.record_listing(db_session, request(), ADMIN)
    with pytest.raises(AttributeError):
        entry.status = "exited"
    with pytest.raises(AttributeError):
        entry.measures[0].status = "stopped"
    entry.change_status("exit", at=utcnow(), reason=ExitReason.EXPIRED)
    assert entry.status == "exited" and entry.exit_reason == "expired"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"subject_code": "91110000600037341A"}, "code"),
        ({"list_kind": "grey"}, "list"),
        ({"valid_until": date(2026, 1, 1)}, "valid_until"),
        ({"measure_codes": ["NOPE"]}, "measures"),
        ({"measure_codes": ["I-GREEN"]}, "measures"),  # an incentive on the blacklist
        ({"basis": " "}, "basis"),
    ],
)
def test_bad_listings_are_refused_and_write_nothing(seeded, db_session, overrides, field):
    before = db_session.scalar(select(text("count(*)")).select_from(ListEntry))
    with pytest.raises(InvalidInput) as caught:
        listings.record_listing(db_session, request(**overrides), ADMIN)
    db_session.rollback()
    assert caught.value.field == field
    assert db_session.scalar(select(text("count(*)")).select_from(ListEntry)) == before


def test_duplicate_open_listing_is_refused(seeded, db_session):
    listings.record_listing(db_session, request(), ADMIN)
    db_session.commit()
    with pytest.raises(Conflict) as caught:
        listings.record_listing(db_session, request(document_no="another"), ADMIN)
    assert caught.value.field == "list"


def test_database_also_refuses_a_duplicate_open_listing(seeded, db_session):
    entry = listings.record_listing(db_session, request(), ADMIN)
    db_session.commit()
    db_session.add(ListEntry(subject_id=entry.subject_id, list_kind="black", department_id=entry.department_id,
                             listed_on=TODAY, valid_until=date(2027, 1, 1)))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_history_is_append_only_in_the_orm_and_in_the_database(seeded, db_session):
    row = db_session.scalars(select(HistoryEntry)).first()
    row.reason = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        db_session.flush()
    db_session.rollback()
    with pytest.raises(DBAPIError):
        db_session.execute(text("UPDATE history SET reason = 'x' WHERE id = :id"), {"id": row.id})
    db_session.rollback()
    with pytest.raises(DBAPIError):
        db_session.execute(text("DELETE FROM history"))
    db_session.rollback()
    assert db_session.scalar(select(text("count(*)")).select_from(HistoryEntry)) > 0


def test_purge_leaves_a_tombstone_without_personal_data(seeded, db_session):
    entry = listings.record_listing(db_session, request(), ADMIN)
    entry.change_status("purge", at=datetime(2026, 11, 21, tzinfo=UTC))
    db_session.commit()
    stored = db_session.get(ListEntry, entry.id)
    assert stored.status == "purged" and stored.subject_id is None
    assert stored.basis == "" and stored.document_no == ""


def test_setting_change_is_recorded_with_who_and_when(seeded, db_session):
    actor = Actor(user_id=1, label="admin")
    settings.change(db_session, "objection.verification_days", "15", actor)
    db_session.commit()
    assert settings.get(db_session, "objection.verification_days") == 15
    change = db_session.scalars(select(HistoryEntry).where(HistoryEntry.entity_type == "setting")).one()
    assert (change.actor_user_id, change.from_state, change.to_state) == (1, "20", "15")
    assert change.at is not None


def test_calendar_import_is_stored_and_takes_effect(seeded, db_session):
    from sla import calendar

    text_2027 = '{"year": 2027, "days_off": ["2027-01-01"], "working_days": ["2027-02-06"]}'
    calendar_imports.import_arrangement(db_session, text_2027, "2027.json", ADMIN)
    db_session.commit()
    assert calendar.default_calendar().source(2027) == "imported"
    assert calendar.is_working_day(date(2027, 2, 6))
    with pytest.raises(InvalidInput) as caught:
        calendar_imports.import_arrangement(db_session, '{"year": 2028, "days_off": ["2028-13-01"], "working_days": []}',
                                            "bad.json", ADMIN)
    assert caught.value.field == "days_off[0]"
    calendar.install_arrangements([])


def test_subject_round_trip(db_session):
    db_session.add(Subject(code="11010519491231002X", kind="person", name="张三"))
    db_session.commit()
    assert db_session.scalar(select(Subject.name).where(Subject.code == "11010519491231002X")) == "张三"
    assert db_session.scalar(select(text("count(*)")).select_from(Measure)) == 0


def test_case_state_changes_only_through_its_process(seeded, db_session):
    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import cases as case_service
    from workflows.services.casework.actors import actor_for

    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = case_service.file_case(db_session, "objection", applicant,
                                  {"list_entry_id": entry_id, "grounds": "依据的处罚决定已被撤销。"})
    with pytest.raises(AttributeError):
        case.state = "closed"
    assert case.state == "submitted"


@pytest.mark.postgres
def test_the_product_s_postgresql_connections_do_without_jit(pg_database, tmp_path):
    """Compiling a dashboard aggregate (about 190 ms) cost more than running it: every connection the product
    opens, the worker's and the web app's alike, has PostgreSQL's JIT off."""
    from tests.conftest import make_app
    from webapp.extensions import db
    from workflows.store.db import make_engine

    engine = make_engine(pg_database)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW jit")).scalar() == "off"
    engine.dispose()
    app = make_app(pg_database, tmp_path / "instance")
    with app.app_context():
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
        db.session.remove()
        db.engine.dispose()
