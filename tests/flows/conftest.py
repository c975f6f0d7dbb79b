"""Flow tests: the real worker runs the real Prefect flows under Prefect's test harness,
against a real SMTP server and a real HTTP receiver, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.receivers import HttpReceiver, SmtpServer


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def platform():
    with HttpReceiver(fail_first=2) as receiver:
        yield receiver


class World:
    """The product with its worker: file and decide through the services, then drain the outbox."""

    def __init__(self, app, config):
        self.app, self.config = app, config

    def actor(self, username):
        from workflows.services.accounts import find_user
        from workflows.services.actors import actor_for
        from webapp.extensions import db

        return actor_for(find_user(db.session, username))

    def file(self, username, process="objection", **params):
        from workflows.services.cases import file_case
        from webapp.extensions import db

        with self.app.app_context():
            case = file_case(db.session, process, self.actor(username), params)
            db.session.commit()
            return case.id

    def act(self, case_id, action, username=None, **params):
        from workflows.domain.process import Actor
        from workflows.services.cases import take_action
        from webapp.extensions import db

        with self.app.app_context():
            actor = self.actor(username) if username else Actor.system()
            take_action(db.session, case_id, action, actor, params)
            db.session.commit()

    def drain(self):
        from workflows.worker import drain

        return drain(self.config)

    def query(self, fn):
        from webapp.extensions import db

        with self.app.app_context():
            result = fn(db.session)
            db.session.commit()
            return result

    def entry_of(self, username):
        from workflows.store.models import ListEntry, User

        return self.query(lambda s: s.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                                            .where(User.username == username).order_by(ListEntry.id)))


@pytest.fixture
def world(seeded, prefect_harness, smtp, platform):
    from workflows.config import Config

    base = seeded.config["CREDIT_CASES"]
    config = Config(instance_path=base.instance_path, database_url=base.database_url, secret_key="x", testing=True,
                    smtp_host="127.0.0.1", smtp_port=smtp.port, platform_url=platform.url)
    return World(seeded, config)
