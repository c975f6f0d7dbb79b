"""The settings and the calendar are kept per process, and a change by anyone is seen at the next transaction.

A transaction reads the configuration stamps once (one small query) and nothing else while nothing changed; a
write to `settings` or `calendar_years`, through the product or by hand in SQL from another connection, renews
the stamp (a database trigger), so the next transaction of every process reads the table again. A change that
was rolled back leaves nothing behind in the process.
"""
from contextlib import contextmanager
from datetime import date

from sqlalchemy import create_engine, event, text

from sla import calendar
from workflows.domain.process import Actor
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings
from workflows.store.db import make_session_factory

ADMIN = Actor.system("test")


@contextmanager
def statements(sessions):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(" ".join(statement.split()))

    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def by_hand(url: str, sql: str, **params) -> None:
    """Another process's connection, outside the product."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(sql), params)
    engine.dispose()


def test_nothing_but_the_stamps_is_read_while_nothing_changed(database_url):
    sessions = make_session_factory(database_url)
    with sessions() as session:
        settings.get(session, "sla.warning_days")
        calendar_service.install_from(session)
    with statements(sessions) as seen, sessions() as session:
        calendar_service.install_from(session)
        assert settings.get(session, "sla.warning_days") == settings.get(session, "sla.warning_days")
        calendar_service.install_from(session)
    assert len(seen) == 1 and "config_stamps" in seen[0], seen
    sessions.kw["bind"].dispose()


def test_a_setting_changed_elsewhere_is_seen_at_the_next_transaction(database_url):
    sessions = make_session_factory(database_url)
    with sessions() as session:
        before = settings.get(session, "sla.warning_days")
        by_hand(database_url, "INSERT INTO settings (key, value, updated_at) VALUES ('sla.warning_days', :v, "
                              "CURRENT_TIMESTAMP)", v=str(before + 2))
    with sessions() as session:
        assert settings.get(session, "sla.warning_days") == before + 2
        by_hand(database_url, "DELETE FROM settings WHERE key = 'sla.warning_days'")
    with sessions() as session:
        assert settings.get(session, "sla.warning_days") == before
    sessions.kw["bind"].dispose()


def test_a_change_in_this_transaction_is_read_back_and_a_rolled_back_one_is_forgotten(database_url, seeded):
    sessions = make_session_factory(database_url)
    with sessions() as session:
        before = settings.get(session, "sla.warning_days")
        settings.change(session, "sla.warning_days", before + 1, ADMIN)
        assert settings.get(session, "sla.warning_days") == before + 1
        session.rollback()
        assert settings.get(session, "sla.warning_days") == before
    with sessions() as session:
        assert settings.get(session, "sla.warning_days") == before
        settings.change(session, "sla.warning_days", before + 1, ADMIN)
        session.commit()
    with sessions() as session:
        assert settings.get(session, "sla.warning_days") == before + 1
    sessions.kw["bind"].dispose()


def test_a_calendar_year_written_by_hand_is_installed_at_the_next_transaction(database_url):
    sessions = make_session_factory(database_url)
    try:
        with sessions() as session:
            calendar_service.install_from(session)
            assert not calendar.default_calendar().has_year(2097)
        by_hand(database_url, "INSERT INTO calendar_years (year, days_off, working_days, source_filename, imported_at) "
                              "VALUES (2097, '[\"2097-01-01\"]', '[]', 'x.json', CURRENT_TIMESTAMP)")
        with sessions() as session:
            calendar_service.install_from(session)
            assert calendar.default_calendar().has_year(2097)
            assert not calendar.is_working_day(date(2097, 1, 1))
        by_hand(database_url, "DELETE FROM calendar_years WHERE year = 2097")
        with sessions() as session:
            calendar_service.install_from(session)
            assert not calendar.default_calendar().has_year(2097)
    finally:
        sessions.kw["bind"].dispose()


def test_a_decisions_issuer_is_kept_and_a_renaming_or_a_new_pattern_by_hand_is_seen_next_time(database_url, seeded):
    """The department's name and numbering pattern that a written decision takes are kept per process under the
    stamps of `departments` and `numbering_patterns` (migration 0016): not read again while neither changed, read
    again at the next transaction after a change by another connection, by hand in SQL."""
    from workflows.services.documents import numbering

    sessions = make_session_factory(database_url)
    try:
        with sessions() as session:
            department_id = session.execute(text("SELECT id FROM departments ORDER BY id")).scalar()
            name, pattern = numbering.issuer_and_pattern(session, department_id)
        with statements(sessions) as seen, sessions() as session:
            assert numbering.issuer_and_pattern(session, department_id) == (name, pattern)
        assert len(seen) == 1 and "config_stamps" in seen[0], seen
        by_hand(database_url, "UPDATE departments SET name = :n WHERE id = :d", n=name + "（更名）", d=department_id)
        with sessions() as session:
            assert numbering.issuer_and_pattern(session, department_id) == (name + "（更名）", pattern)
        by_hand(database_url, "INSERT INTO numbering_patterns (department_id, pattern, updated_at) "
                              "VALUES (:d, '{year}-{n}', CURRENT_TIMESTAMP)", d=department_id)
        with sessions() as session:
            assert numbering.issuer_and_pattern(session, department_id) == (name + "（更名）", "{year}-{n}")
    finally:
        by_hand(database_url, "DELETE FROM numbering_patterns WHERE pattern = '{year}-{n}'")
        by_hand(database_url, "UPDATE departments SET name = :n WHERE id = :d", n=name, d=department_id)
        sessions.kw["bind"].dispose()


def test_a_departments_code_is_kept_for_the_case_views_and_a_new_code_by_hand_is_seen_next_time(database_url, seeded):
    """The code a case's answer names its department by (departments.code_of) is read once per process while the
    departments do not change, and again at the next transaction after another connection changed one."""
    from workflows.services.admin import departments

    sessions = make_session_factory(database_url)
    try:
        with sessions() as session:
            department_id, code = session.execute(text("SELECT id, code FROM departments ORDER BY id LIMIT 1")).one()
            assert departments.code_of(session, department_id) == code and departments.code_of(session, None) is None
        with statements(sessions) as seen, sessions() as session:
            assert departments.code_of(session, department_id) == code
        assert len(seen) == 1 and "config_stamps" in seen[0], seen
        by_hand(database_url, "UPDATE departments SET code = :c WHERE id = :d", c="RENAMED", d=department_id)
        with sessions() as session:
            assert departments.code_of(session, department_id) == "RENAMED"
    finally:
        by_hand(database_url, "UPDATE departments SET code = :c WHERE id = :d", c=code, d=department_id)
        sessions.kw["bind"].dispose()


def test_the_stamps_read_flushes_what_the_session_holds_as_a_query_would_and_not_under_no_autoflush(database_url,
                                                                                                    seeded):
    """The stamps are read by a plain statement; what the session holds unflushed is written first, as a query's
    autoflush would, except where the caller turned autoflush off (a sweep's batch is flushed once)."""
    from workflows.services.casework import history
    from workflows.store import config_stamps

    sessions = make_session_factory(database_url)
    try:
        with sessions() as session:
            held = history.record(session, actor=Actor.system(), action="note", entity_type="test", entity_id=1)
            with session.no_autoflush:
                config_stamps.current(session)
            assert held in session.new
            session.rollback()
            held = history.record(session, actor=Actor.system(), action="note", entity_type="test", entity_id=2)
            config_stamps.current(session)
            assert held not in session.new and held.id is not None
            session.rollback()
    finally:
        sessions.kw["bind"].dispose()


def test_an_action_reads_the_stamps_with_its_case_and_sees_a_change_made_elsewhere(database_url, seeded):
    """An action's first statement, the read of the case it holds, carries the stamps: no query of their own. A
    calendar year and a setting written by hand in another connection are seen by the next action all the same."""
    from sqlalchemy import select

    from workflows.services.admin.accounts import find_user
    from workflows.services.casework import cases
    from workflows.services.casework.actors import actor_for
    from workflows.store.models import ListEntry

    sessions = make_session_factory(database_url)
    with sessions() as session:
        applicant = actor_for(find_user(session, "applicant"))
        office = actor_for(find_user(session, "office"))
        entry_id = session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
        case_id = cases.file_case(session, "objection", applicant,
                                  {"list_entry_id": entry_id, "grounds": "原处罚决定已被复议机关撤销，请核实。"}).id
        session.commit()
        before = settings.get(session, "sla.warning_days")
    by_hand(database_url, "INSERT INTO settings (key, value, updated_at) VALUES ('sla.warning_days', :v, "
                          "CURRENT_TIMESTAMP)", v=str(before + 2))
    # a year no packaged calendar holds: its arrangement comes from the database alone
    by_hand(database_url, "INSERT INTO calendar_years (year, days_off, working_days, source_filename, imported_at) "
                          "VALUES (2097, '[\"2097-03-04\"]', '[]', 'x.json', CURRENT_TIMESTAMP)")
    try:
        with statements(sessions) as seen, sessions() as session:
            cases.take_action(session, case_id, "accept", office)
            assert settings.get(session, "sla.warning_days") == before + 2
            assert not calendar.is_working_day(date(2097, 3, 4))  # installed by the action, from its stamps
            session.commit()
        assert seen[0].startswith("SELECT cases.") and "config_stamps" in seen[0], seen[:2]
        assert not any(s.startswith("SELECT config_stamps") for s in seen), seen
    finally:
        by_hand(database_url, "DELETE FROM calendar_years WHERE year = 2097")
        with sessions() as session:
            calendar_service.install_from(session)
        sessions.kw["bind"].dispose()


def test_a_write_through_the_session_reads_the_stamps_again_only_if_it_may_have_renewed_one(database_url, seeded):
    """An UPDATE of a table without a stamp (the outbox) leaves the transaction's stamps as read; an UPDATE of
    the settings, or a textual statement whose table is unknown, has them read again."""
    from sqlalchemy import update

    from workflows.store import config_stamps
    from workflows.store.automation import OutboxEvent
    from workflows.store.models import Setting

    sessions = make_session_factory(database_url)
    try:
        with sessions() as session:
            config_stamps.current(session)
            session.execute(update(OutboxEvent).where(OutboxEvent.id == -1).values(attempts=0))
            assert not config_stamps.unread(session)
            session.execute(update(Setting).where(Setting.key == "no such key").values(value="1"))
            assert config_stamps.unread(session)
            config_stamps.current(session)
            session.execute(text("UPDATE outbox SET attempts = 0 WHERE id = -1"))
            assert config_stamps.unread(session)
            session.rollback()
    finally:
        sessions.kw["bind"].dispose()


def test_a_signed_in_page_reads_the_stamps_with_its_user_and_sees_a_change_made_elsewhere(app, client, auth, seeded,
                                                                                           database_url):
    """A page request with a session cookie reads its user first, and that read carries the stamps: none of their
    own. A calendar year written by hand in another connection is installed by the next such request all the
    same."""
    from webapp.extensions import db

    assert auth.login("office").status_code == 302
    assert client.get("/cases").status_code == 200  # the first time of everything
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    def record(_conn, _cursor, statement, *_):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    by_hand(database_url, "INSERT INTO calendar_years (year, days_off, working_days, source_filename, imported_at) "
                          "VALUES (2097, '[\"2097-03-04\"]', '[]', 'x.json', CURRENT_TIMESTAMP)")
    try:
        assert client.get("/cases").status_code == 200
        assert seen[0].startswith("SELECT users.") and "config_stamps" in seen[0], seen[:2]
        assert not any(s.startswith("SELECT config_stamps") for s in seen), seen
        assert not calendar.is_working_day(date(2097, 3, 4))  # installed by the request, from its stamps
    finally:
        event.remove(engine, "before_cursor_execute", record)
        by_hand(database_url, "DELETE FROM calendar_years WHERE year = 2097")
        with app.app_context():
            calendar_service.install_from(db.session)
            db.session.commit()
