"""PostgreSQL connections in the pool: one that sat idle is tested before it is handed out, and replaced when its
server no longer answers for it; one just given back is handed out at once, untested (docs/operations.md)."""
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
