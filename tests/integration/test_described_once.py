"""PostgreSQL results' descriptions built once per query and connection (workflows/store/db.py), the same as the
driver's own: names, types and count, for each query of its own, and afresh where a statement has several results."""
import psycopg
import pytest
from sqlalchemy import text

from tests.conftest import PG_ADMIN_URL, need_postgres
from workflows.store import db


@pytest.fixture
def engine():
    need_postgres()
    engine = db.make_engine(PG_ADMIN_URL)
    yield engine
    engine.dispose()


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
