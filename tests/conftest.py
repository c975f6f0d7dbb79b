"""Shared fixtures: an app on SQLite and on PostgreSQL, a client, log-in helpers, demo data.

PostgreSQL tests skip when no server answers, except under CI=true, where they fail: CI must
prove both databases.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from tests.receivers import HttpReceiver, SmtpServer, free_port
from workflows import clock
from workflows.operations import heap
from workflows.store.migrate import upgrade

# the product stays offline, in tests too
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def _one_certificate() -> str:
    """A CA file of one certificate (the first of certifi's) for the tests' processes and the commands they start.
    Every HTTP client made here (Prefect's, one per flow run started in a test; httpx's) builds a TLS context
    from a CA file first, ~16 ms of CPU for the whole store and ~0.3 ms for one certificate; the tests only
    speak plain HTTP to 127.0.0.1, so no certificate is ever checked against it."""
    import certifi

    path = Path(__file__).parent / "_artifacts" / "one-ca.pem"
    if not path.exists():
        store = Path(certifi.where()).read_text()
        end = "-----END CERTIFICATE-----"
        first = store[store.index("-----BEGIN CERTIFICATE-----"):store.index(end) + len(end)] + "\n"
        path.parent.mkdir(exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(first)
        partial.replace(path)  # whole, whichever test process writes it
    return str(path)


os.environ["SSL_CERT_FILE"] = _one_certificate()  # httpx's clients (whatever the machine says)
os.environ["PREFECT_API_SSL_CERT_FILE"] = os.environ["SSL_CERT_FILE"]  # Prefect's


def pytest_addoption(parser):
    parser.addoption("--today", metavar="YYYY-MM-DD", default=os.environ.get("CREDIT_CASES_TODAY") or None,
                     help="run the suite as if today (Asia/Shanghai) were this day: the product's clock in the "
                          "suite and in every part of the product the suite starts")
    parser.addoption("--clock-days", metavar="DAYS", default=os.environ.get("CREDIT_CASES_CLOCK_DAYS") or None,
                     help="run every test marked `clock` again as if today were each of these days (YYYY-MM-DD, "
                          "separated by spaces or commas)")


def _days(text: str | None) -> list:
    return [clock.parse_day(day) for day in (text or "").replace(",", " ").split()]


def pytest_generate_tests(metafunc):
    """`--clock-days`: every test marked `clock` runs again as if today were each of these days."""
    days = _days(metafunc.config.getoption("--clock-days"))
    if days and metafunc.definition.get_closest_marker("clock"):
        metafunc.parametrize("clock_day", [None, *days], indirect=True,
                             ids=["today", *(f"on-{day.isoformat()}" for day in days)])


def pytest_collection_modifyitems(config, items):
    """A shifted day runs on SQLite alone: the day is its subject; today's run proves both databases. So does a
    test marked `one_database`, whose subject no database changes (the persistence, scheduler, flow and
    end-to-end tests run on both)."""
    def on_pg(item) -> bool:
        return getattr(item, "callspec", None) is not None and "postgresql" in item.callspec.params.values()

    shifted_on_pg = [item for item in items if on_pg(item) and (item.callspec.params.get("clock_day")
                                                               or item.get_closest_marker("one_database"))]
    if shifted_on_pg:
        config.hook.pytest_deselected(items=shifted_on_pg)
        dropped = set(map(id, shifted_on_pg))
        items[:] = [item for item in items if id(item) not in dropped]


@pytest.fixture(autouse=True)
def clock_day(request):
    """The day a `clock` test runs as (see --clock-days); set before any other fixture of the test, so that its
    database, demo data and the servers it starts (CREDIT_CASES_TODAY) all see it."""
    day = getattr(request, "param", None)
    if day is None:
        yield None
        return
    kept_shift, kept_env = clock._shift, {k: os.environ.get(k) for k in ("CREDIT_CASES_TODAY", "CREDIT_CASES_TESTING")}
    clock.shift_to_day(day)
    os.environ.update(CREDIT_CASES_TODAY=day.isoformat(), CREDIT_CASES_TESTING="true")
    try:
        yield day
    finally:
        clock._shift = kept_shift
        for name, value in kept_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pytest_configure(config):
    """`--today`: the product's clock shifted for the whole run, and for the servers and commands tests start
    (which honour CREDIT_CASES_TODAY only in testing mode). And no full collection of a test process's heap at
    its end (pytest looks for unraisable exceptions there): with the caches below, a second or two per process,
    at the very end of the run."""
    from _pytest.unraisableexception import gc_collect_iterations_key

    config.stash[gc_collect_iterations_key] = 0
    day = config.getoption("--today")
    if day:
        clock.shift_to_day(clock.parse_day(day))
        os.environ.update(CREDIT_CASES_TODAY=day, CREDIT_CASES_TESTING="true")


def pytest_collection_finish(session):
    """What collection made (the product's modules, the tests, their parameters) lives until the process ends:
    the garbage collector leaves it out of its passes, and passes less often (workflows.operations.heap)."""
    heap.settle()


def pytest_report_header(config):
    return f"product clock: today is {clock.today().isoformat()} (Asia/Shanghai)" + (
        ", shifted by --today" if config.getoption("--today") else "")


PG_ADMIN_URL = os.environ.get("CREDIT_CASES_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ARTIFACTS = Path(__file__).parent / "_artifacts"
DEMO_PASSWORD = "demo-pass-2026"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    from workflows.services.admin import accounts

    accounts.use_fast_hashing_for_tests()


def pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return str(error).splitlines()[0]


def missing(what: str, problem: str) -> None:
    """What a test needs is missing: a failure under CI, a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI but {problem}")
    pytest.skip(f"{what}: {problem}")


def need_postgres() -> None:
    problem = pg_available()
    if problem:
        missing("PostgreSQL", f"not reachable: {problem}")


# Templates per product day (a test database is copied from one; the demo data is seeded once per day, not per
# test): SQLite files, and for PostgreSQL a snapshot of the seeded tables in a schema of the test database.
_SQLITE_TEMPLATES: dict[tuple[bool, object], Path] = {}
_PG_SNAPSHOTS: dict[object, str] = {}


def _sqlite_template(tmp_path_factory, *, seeded: bool) -> Path:
    key = (seeded, clock.today())
    if key not in _SQLITE_TEMPLATES:
        path = tmp_path_factory.mktemp("template") / f"{'seeded' if seeded else 'empty'}-{key[1]}.sqlite"
        if seeded:
            shutil.copy(_sqlite_template(tmp_path_factory, seeded=False), path)
            seed_database(f"sqlite:///{path}")
        else:
            upgrade(f"sqlite:///{path}")
            with_provisional_years(f"sqlite:///{path}")
        _SQLITE_TEMPLATES[key] = path
    return _SQLITE_TEMPLATES[key]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """The migrated, empty SQLite database of the session's day (copy it, never write to it)."""
    return _sqlite_template(tmp_path_factory, seeded=False)


@pytest.fixture(scope="session")
def pg_database():
    need_postgres()
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    _PG_SNAPSHOTS.clear()
    admin.dispose()  # a fresh connection: a test may have restarted the server meanwhile
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_tables(connection) -> list[str]:
    return [row[0] for row in connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version' ORDER BY 1"))]


_RESET_FUNCTION = """
CREATE OR REPLACE FUNCTION public.cc_test_reset(snapshot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text; s record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM public.%I', t);
    IF snapshot IS NOT NULL THEN
      EXECUTE format('INSERT INTO public.%I SELECT * FROM %I.%I', t, snapshot, t);
    END IF;
  END LOOP;
  FOR s IN SELECT sq.relname AS seq, tb.relname AS tab, a.attname AS col FROM pg_class sq
      JOIN pg_depend d ON d.objid = sq.oid JOIN pg_class tb ON tb.oid = d.refobjid
      JOIN pg_attribute a ON a.attrelid = tb.oid AND a.attnum = d.refobjsubid
      JOIN pg_namespace n ON n.oid = sq.relnamespace WHERE sq.relkind = 'S' AND n.nspname = 'public' LOOP
    EXECUTE format('SELECT setval(%L, COALESCE((SELECT max(%I) FROM public.%I), 0) + 1, false)',
                   'public.' || s.seq, s.col, s.tab);
  END LOOP;
END $$;
"""


def truncate_pg(url: str, snapshot: str | None = None) -> None:
    """Empty every table (and copy a snapshot's rows back in); the identities restart after what is there.
    One call of a function kept in the database: the tables are small, and DELETE costs far less than
    TRUNCATE's new files; with triggers off (the role is the server's superuser) no foreign-key order matters."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if not connection.scalar(text("SELECT to_regproc('public.cc_test_reset') IS NOT NULL")):
            connection.execute(text(_RESET_FUNCTION))
        connection.execute(text("SELECT public.cc_test_reset(:snapshot)"), {"snapshot": snapshot})
        # the rows changed with the triggers off: new configuration stamps, as the triggers would have given
        if connection.scalar(text("SELECT to_regclass('public.config_stamps') IS NOT NULL")):
            connection.execute(text("INSERT INTO config_stamps (name, stamp) SELECT name, md5(random()::text || name) "
                                    "FROM (VALUES ('settings'), ('calendar_years'), ('departments'), "
                                    "('numbering_patterns')) AS t(name) "
                                    "ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp"))
    engine.dispose()


def _snapshot(url: str, schema: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
        for table in _pg_tables(connection):
            connection.execute(text(f"CREATE TABLE {schema}.{table} AS TABLE public.{table}"))
    engine.dispose()


def _restore_pg(url: str, *, seeded: bool) -> None:
    """The product's day's start: no data but its calendar years, or the demo data too. Made once into a
    snapshot schema, copied back for each test."""
    day = clock.today()
    key = (day, seeded)
    if key not in _PG_SNAPSHOTS:
        truncate_pg(url)
        with_provisional_years(url)
        if seeded:
            seed_database(url)
        schema = f"{'seeded' if seeded else 'empty'}_{day:%Y%m%d}"
        _snapshot(url, schema)
        _PG_SNAPSHOTS[key] = schema
        return
    truncate_pg(url, _PG_SNAPSHOTS[key])


def seed_database(url: str) -> None:
    """The demo data set, as `credit-cases demo seed` loads it, on the product's day."""
    from workflows.demo import seed
    from workflows.store.db import make_session_factory

    sessions = make_session_factory(url)
    with sessions() as session:
        seed(session)
        session.commit()
    sessions.kw["bind"].dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, tmp_path_factory) -> str:
    """A migrated database of each kind, fresh for every test: empty, or with the demo data where the test asks
    for `seeded` (copied from the day's template: seeding per test would cost more than most tests)."""
    seeded = "seeded" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "app.sqlite"
        shutil.copy(_sqlite_template(tmp_path_factory, seeded=seeded), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _restore_pg(url, seeded=seeded)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_database(request, tmp_path):
    """A database with nothing in it, not even a schema (for migrations run from the start)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.sqlite'}"
        return
    need_postgres()
    name = f"cc_blank_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """SQLite only, for tests whose subject is not the database."""
    path = tmp_path / "app.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _share_url_builders() -> None:
    """Each app a test makes has werkzeug generate and compile Python source for the URL builders of its ~140
    routes (~80 % of making an app); the tests make hundreds of apps of the same routes, so each builder is
    compiled once per process. The builder depends on the rule's parts and defaults only (converters are read
    through the rule when a URL is built), which is the key."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def shared(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        key = (tuple(self._trace), append_unknown,
               tuple((str(name), repr(value), type(self._converters.get(name))) for name, value in defaults.items()))
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = compile_builder(self, append_unknown)
        return builder

    Rule._compile_builder = shared


def _share_rule_parsing() -> None:
    """Parsing a rule's text (its regular expressions, its converters' arguments) is most of the rest of
    registering a route; the parse depends on the text and the map's converter classes alone, and its converters
    keep nothing of the map they were made for (werkzeug's and webapp's DatabaseId convert by their own
    arguments). So each text is parsed once per process and its parts, trace and converters replayed."""
    from werkzeug.routing.rules import Rule

    parse = Rule._parse_rule
    parsed: dict[tuple, tuple] = {}

    def shared(self, rule: str):
        key = (rule, tuple(self.map.converters.items()))
        known = parsed.get(key)
        if known is None:
            trace_from, converters_before = len(self._trace), set(self._converters)
            parts = list(parse(self, rule))
            parsed[key] = (parts, self._trace[trace_from:],
                           {name: c for name, c in self._converters.items() if name not in converters_before})
            return parts
        parts, trace, converters = known
        self._trace.extend(trace)
        self._converters.update(converters)
        self.arguments.update(converters)
        return list(parts)

    Rule._parse_rule = shared


def _share_compiled_statements() -> None:
    """Each test makes its app, and so its engine and dialect, afresh; SQLAlchemy keys its cache of compiled
    statements by the dialect object, so every test compiled every statement again (a tenth of the tests' CPU).
    A compiled statement depends on the dialect's kind and settings alone, which are the same for every engine
    of a kind here (one SQLite library, one PostgreSQL server): the tests' processes keep one cache per kind
    and settings, shared by their engines (and the mappers' caches of flush statements)."""
    import weakref

    from sqlalchemy.sql.elements import ClauseElement

    compile_w_cache = ClauseElement._compile_w_cache
    compiled: dict[tuple, object] = {}

    class Shared:
        __slots__ = ("kind",)

        def __init__(self, dialect):
            self.kind = (type(dialect), dialect.server_version_info, dialect.paramstyle, dialect.label_length,
                         getattr(dialect, "_json_serializer", None), getattr(dialect, "_json_deserializer", None),
                         dialect.use_insertmanyvalues, dialect.insertmanyvalues_page_size,
                         dialect.default_schema_name)

        # SQLAlchemy's key is (dialect, the statement's cache key, ...): the dialect gives way to its kind
        def get(self, key):
            return compiled.get((self.kind, *key[1:]))

        def __setitem__(self, key, value):
            compiled[(self.kind, *key[1:])] = value

    shared = weakref.WeakKeyDictionary()  # dialect -> its Shared, made when it first compiles (once initialised)

    def with_shared_cache(self, dialect, *, compiled_cache, **kw):
        if compiled_cache is not None:
            compiled_cache = shared.get(dialect) or shared.setdefault(dialect, Shared(dialect))
        return compile_w_cache(self, dialect, compiled_cache=compiled_cache, **kw)

    ClauseElement._compile_w_cache = with_shared_cache


_share_url_builders()
_share_rule_parsing()
_share_compiled_statements()


def make_app(url: str, instance: Path, **extra):
    from webapp import create_app
    from workflows.config import Config

    config = Config.from_env(instance_path=instance, database_url=url, testing=True, secret_key="test-secret")
    test_config = {"TESTING": True, "WTF_CSRF_ENABLED": False}
    test_config.update(extra)
    return create_app(test_config, config=config)


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance")
    yield app
    from webapp.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    from webapp.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def seeded(app):
    """The app with the demo data (usually copied in by `database_url` already)."""
    from webapp.extensions import db
    from workflows.demo import seed

    with app.app_context():
        seed(db.session, only_if_empty=True)
        db.session.commit()
    return app


def provisional_years(session) -> None:
    """Stand-in holiday arrangements for the product's current and next year where the packaged data lacks
    them, in every test database: a limit filed in December runs into next year, and on a shifted clock the
    current year itself may have no data (the product then waits for the administrator's import, which
    test_calendar_gap and test_calendar_walk cover with years no package will have). A stand-in is the
    statutory holidays the `holidays` package derives for the year, without make-up days."""
    import holidays

    from sla import calendar
    from workflows.services.admin import calendar as calendar_service
    from workflows.store.models import CalendarYear

    calendar_service.install_from(session)  # what this database holds, not what an earlier test installed
    for year in (clock.today().year, clock.today().year + 1):
        if calendar.default_calendar().source(year) is None:
            days_off = sorted(d.isoformat() for d in holidays.China(years=year) if d.weekday() < 5)
            session.add(CalendarYear(year=year, days_off=days_off, working_days=[],
                                     source_filename=f"provisional-{year}.json"))
    session.flush()
    calendar_service.install_from(session)


def with_provisional_years(url: str) -> None:
    from workflows.store.db import make_session_factory

    sessions = make_session_factory(url)
    with sessions() as session:
        provisional_years(session)
        session.commit()
    sessions.kw["bind"].dispose()


@pytest.fixture
def travel():
    """Set the product's clock for this test: `travel(date(2026, 9, 28))` (10:00 in Shanghai) or an aware
    instant, ticking from there unless `tick=False`; the clock is given back when the test ends."""
    with ExitStack() as stack:
        yield lambda when, tick=True: stack.enter_context(clock.travel(when, tick=tick))


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = DEMO_PASSWORD):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def api(client, seeded):
    """Call the JSON API as a demo user: `api("GET", "/api/v1/cases", "office")`; no user: no token."""
    tokens = {}

    def call(method, path, username=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if username:
            if username not in tokens:
                response = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
                assert response.status_code == 200, response.json
                tokens[username] = response.json["token"]
            headers["Authorization"] = f"Bearer {tokens[username]}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


# --- the automation: Prefect's test harness, a real SMTP server, a real HTTP receiver, the worker ---


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """A real Prefect server for the tests that run the flows under Prefect: one for the whole run, shared by its
    test processes (`-n`), started by the first that needs it and stopped when the run ends (pytest_unconfigure);
    on PostgreSQL when it answers (a server shared by several processes needs it: on SQLite its concurrent
    writers get errors), else on SQLite. What Prefect's own `prefect_test_harness` would start in every test
    process: a server each, ~15 s of CPU each on these cores."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = shared_prefect_server(run_folder(tmp_path_factory))
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield url


def run_folder(tmp_path_factory) -> Path:
    """A folder of this run, shared by its test processes (pytest-xdist makes each one's under the main one's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


PREFECT_SERVER_INFO = "prefect-server.json"


def shared_prefect_server(folder: Path) -> str:
    """The API address of the run's Prefect server, started here if no test process has started it yet."""
    import fcntl
    import json
    import subprocess
    import time

    import httpx

    from webapp.supervisor import prefect_api_url, prefect_server_part

    info = folder / PREFECT_SERVER_INFO
    with open(folder / "prefect-server.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait here until the server answers
        if not info.exists():
            port = free_port()
            part = prefect_server_part(folder / "prefect-home", port)
            env = {**os.environ, **part.env}
            database = None
            if not pg_available():
                database = f"cc_prefect_{uuid.uuid4().hex[:8]}"
                admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text(f'CREATE DATABASE "{database}"'))
                admin.dispose()
                base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("+psycopg", "+asyncpg")
                env["PREFECT_API_DATABASE_CONNECTION_URL"] = f"{base}/{database}"
            with open(folder / "prefect-server.log", "ab") as log:
                server = subprocess.Popen(part.argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
            info.write_text(json.dumps({"pid": server.pid, "url": prefect_api_url(port), "database": database}))
        url = json.loads(info.read_text())["url"]
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2, trust_env=False).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                log = (folder / "prefect-server.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the tests' Prefect server did not answer at {url}:\n{log}")
            time.sleep(0.3)


def stop_shared_prefect_server(folder: Path) -> None:
    import json
    import signal
    import time

    info = folder / PREFECT_SERVER_INFO
    if not info.exists():
        return
    data = json.loads(info.read_text())
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 0)):
        try:
            os.killpg(data["pid"], sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(data["pid"], 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
    if data.get("database"):
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{data["database"]}" WITH (FORCE)'))
        admin.dispose()
    info.unlink()


def pytest_unconfigure(config):
    """The run's shared Prefect server goes with the run (the main process: workers have `workerinput`)."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None and not hasattr(config, "workerinput"):
        stop_shared_prefect_server(factory.getbasetemp())


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def platform():
    with HttpReceiver(fail_first=2) as receiver:
        yield receiver


class World:
    """The product with its worker: file and decide through the services, then drain the outbox.

    A test marked `prefect` drains through the real Prefect flows under Prefect's test harness (a few per
    process, and the outage and browser tests); the others call the same steps in-process, with the same
    attempts, which is what they test, in a fraction of the time."""

    def __init__(self, app, config, request):
        self.app, self.config, self._request = app, config, request
        # a shifted day's copy of a test (--clock-days) is about the day: it calls the steps in-process
        shifted = getattr(getattr(request.node, "callspec", None), "params", {}).get("clock_day") is not None
        self.prefect = request.node.get_closest_marker("prefect") is not None and not shifted

    def actor(self, username):
        from webapp.extensions import db
        from workflows.services.admin.accounts import find_user
        from workflows.services.casework.actors import actor_for

        return actor_for(find_user(db.session, username))

    def file(self, username, process="objection", **params):
        from webapp.extensions import db
        from workflows.services.casework.cases import file_case

        with self.app.app_context():
            case = file_case(db.session, process, self.actor(username), params)
            db.session.commit()
            return case.id

    def act(self, case_id, action, username=None, **params):
        from webapp.extensions import db
        from workflows.domain.process import Actor
        from workflows.services.casework.cases import take_action

        with self.app.app_context():
            actor = self.actor(username) if username else Actor.system()
            take_action(db.session, case_id, action, actor, params)
            db.session.commit()

    def drain(self):
        from workflows.automation.worker import drain

        if self.prefect:
            self._request.getfixturevalue("prefect_harness")
        return drain(self.config, in_process=not self.prefect)

    def query(self, fn):
        from webapp.extensions import db

        with self.app.app_context():
            result = fn(db.session)
            db.session.commit()
            return result

    def notices_to(self, email):
        """(kind, parameters) of each notice to the accounts with this e-mail address, oldest first."""
        from workflows.store.automation import Notification

        return self.query(lambda s: [(n.kind, n.params) for n in s.scalars(
            select(Notification).where(Notification.email_to == email).order_by(Notification.id))])

    def entry_of(self, username):
        from workflows.store.models import ListEntry, User

        return self.query(lambda s: s.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                                            .where(User.username == username).order_by(ListEntry.id)))


@pytest.fixture
def world(request, seeded, smtp, platform):
    from workflows.config import Config

    base = seeded.config["CREDIT_CASES"]
    config = Config(instance_path=base.instance_path, database_url=base.database_url, secret_key="x", testing=True,
                    smtp_host="127.0.0.1", smtp_port=smtp.port, platform_url=platform.url)
    return World(seeded, config, request)
