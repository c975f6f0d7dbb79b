"""PostgreSQL connections as the engine makes them (workflows/store/db.py). In the pool: one that sat idle is
tested before it is handed out, and replaced when its server no longer answers for it; one just given back is
handed out at once, untested (docs/operations.md). Their results' descriptions are built once per query and
result types, the same as the driver's own: names, types and count, and afresh where a statement has several
results."""
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_ADMIN_URL, need_postgres
from workflows.store import db


@pytest.fixture
def engine():
    need_postgres()
    engine = db.make_engine(PG_ADMIN_URL)
    yield engine
    engine.dispose()


def backend_of(connection) -> int:
    return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def end_backend(pid: int) -> None:
    other = db.make_engine(PG_ADMIN_URL)
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()
    other.dispose()  # its own connection ends too


def idle_for(engine, seconds: float) -> None:
    """As if each pooled connection had been back in the pool for `seconds` more."""
    for record in list(engine.pool._pool.queue):
        record.info["idle_since"] -= seconds


def test_a_connection_idle_too_long_is_tested_and_replaced_when_broken(engine):
    with engine.connect() as connection:
        first = backend_of(connection)
    end_backend(first)  # as a restart of the server, or a firewall's idle timeout, would while nobody used it
    idle_for(engine, db.IDLE_BEFORE_TEST + 1)
    with engine.connect() as connection:  # tested, found broken, replaced: the caller never sees it
        assert backend_of(connection) != first


def test_a_connection_just_given_back_is_handed_out_untested(engine):
    """Under load a connection is back in the pool for milliseconds: no round trip to test it. One that broke in
    that moment fails its first statement, as one in use would, and the pool replaces its connections."""
    with engine.connect() as connection:
        first = backend_of(connection)
    end_backend(first)
    with engine.connect() as connection:
        with pytest.raises(OperationalError):
            connection.execute(text("SELECT 1"))
    with engine.connect() as connection:
        assert backend_of(connection) != first


def drivers_own(cursor) -> list[tuple[str, int]]:
    return [(c.name, c.type_code) for c in psycopg.Cursor.description.fget(cursor)]


def test_a_querys_description_is_built_once_and_is_the_drivers(engine):
    query = text("SELECT CAST(:n AS integer) AS n, 'x' AS label, now() AS at")
    with engine.connect() as connection:
        descriptions = []
        for n in range(8):  # past the driver's threshold for preparing a statement on the server
            result = connection.execute(query, {"n": n})
            descriptions.append(result.cursor.description)
            assert [(c.name, c.type_code) for c in descriptions[-1]] == drivers_own(result.cursor)
            assert result.one()[:2] == (n, "x")
        assert all(d is descriptions[0] for d in descriptions)
        assert [c.name for c in descriptions[0]] == ["n", "label", "at"]


def test_each_query_has_its_own_description(engine):
    with engine.connect() as connection:
        first = connection.execute(text("SELECT 1 AS a, 'b' AS b")).cursor.description
        other = connection.execute(text("SELECT 'c' AS c, 2 AS d")).cursor.description
        again = connection.execute(text("SELECT 1 AS a, 'b' AS b")).cursor.description
    assert [c.name for c in first] == ["a", "b"] and [c.name for c in other] == ["c", "d"]
    assert again is first


def test_the_same_query_giving_other_types_is_described_for_each(engine):
    """A parameter's value chooses its type (1 a smallint, 10**10 a bigint), and with it the result's."""
    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        for value in (1, 10**10, 1, 10**10):
            cursor.execute("SELECT %s AS v", (value,))
            assert [(c.name, c.type_code) for c in cursor.description] == drivers_own(cursor)
        cursor.close()


def test_a_statement_without_rows_and_one_of_several_results_are_described_by_the_driver(engine):
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMPORARY TABLE described (n integer)")
        cursor = connection.connection.dbapi_connection.cursor()
        for n in range(8):
            cursor.execute("INSERT INTO described VALUES (%s)", (n,))
            assert cursor.description is None
        cursor.execute("SELECT 1 AS a; SELECT 'x' AS b, 2 AS c")
        assert [c.name for c in cursor.description] == ["a"]
        cursor.nextset()
        assert [c.name for c in cursor.description] == ["b", "c"]
        cursor.close()
