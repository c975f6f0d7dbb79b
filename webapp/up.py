"""`credit-cases up`: the embedded default, every part on 127.0.0.1 under one supervisor."""
from __future__ import annotations

import os
import sys

from workflows.config import PREFIX, Config

from .supervisor import Part, Supervisor, prefect_api_url, prefect_server_part


def prepare_database(config: Config) -> bool:
    """Migrate, and load the demo data (with its month of cases) when the database has no users. True if demo
    data was loaded."""
    from workflows.demo import seed
    from workflows.demo_story import seed_story
    from workflows.store.db import make_session_factory
    from workflows.store.migrate import upgrade

    upgrade(config.database_url)
    session_factory = make_session_factory(config.database_url)
    with session_factory() as session:
        loaded = seed(session, only_if_empty=True)
        if loaded:
            session.flush()
            seed_story(session, config)
        session.commit()
    session_factory.kw["bind"].dispose()
    return loaded


def parts(config: Config) -> list[Part]:
    script = [sys.executable, "-m", "webapp.cli"]
    env = {
        PREFIX + "INSTANCE_PATH": str(config.instance_path),
        PREFIX + "DATABASE_URL": config.database_url,
        PREFIX + "DEMO": "true",
        PREFIX + "LOG_FORMAT": os.environ.get(PREFIX + "LOG_FORMAT", "text"),  # a terminal's reader
        "PREFECT_API_URL": prefect_api_url(config.prefect_port),
    }
    web = Part("web", [*script, "web", "--workers", "2"], env, f"http://{config.host}:{config.port}/readyz", 60)
    return [
        web,
        Part("scheduler", [*script, "scheduler"], env),
        prefect_server_part(config.instance_path / "prefect", config.prefect_port),
        Part("worker", [*script, "worker"], env),
    ]


def banner(config: Config) -> str:
    from workflows.demo import DEMO_PASSWORD, demo_logins

    lines = [
        "",
        f"  credit-cases web app   http://{config.host}:{config.port}/",
        f"  API and its OpenAPI    http://{config.host}:{config.port}/api/v1/openapi.json",
        f"  Prefect server         http://127.0.0.1:{config.prefect_port}/",
        f"  demo logins (password {DEMO_PASSWORD}):",
        *(f"    {name:<12} {roles}" for name, roles in demo_logins()),
        "  Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def run_embedded(config: Config) -> int:
    os.environ.setdefault(PREFIX + "DEMO", "true")
    loaded = prepare_database(config)
    print("database migrated" + ("; demo data loaded" if loaded else ""), flush=True)
    supervisor = Supervisor(parts(config))
    return supervisor.run_forever(on_ready=lambda: print(banner(config), flush=True))
