"""What the flows need at run time: the configuration and a session factory, set by the worker."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.orm import Session, sessionmaker

from workflows.config import Config
from workflows.store.db import make_session_factory


@dataclass
class Runtime:
    config: Config
    sessions: sessionmaker[Session]


_runtime: Runtime | None = None


def configure(config: Config) -> Runtime:
    global _runtime
    if _runtime is not None and _runtime.config.database_url == config.database_url:
        _runtime.config = config
        return _runtime
    _runtime = Runtime(config, make_session_factory(config.database_url))
    return _runtime


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("flows not configured: call workflows.steps.runtime.configure(config) first")
    return _runtime


@contextmanager
def session_scope() -> Iterator[Session]:
    with runtime().sessions() as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
