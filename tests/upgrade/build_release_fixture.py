"""Build the previous release's database fixture: run with THAT release's code, it writes every table's rows.

The upgrade test (test_upgrade_from_previous_release.py) loads the rows into a database migrated to the release's
revisions and upgrades it with the current code. To make the fixture of a new release, check the release out into
a worktree of its own and run this file from there, with its code first on the path:

    git worktree add --detach ../release <release commit>
    cd ../release && PYTHONPATH=. python <this checkout>/tests/upgrade/build_release_fixture.py \\
        <this checkout>/tests/upgrade/fixtures/previous_release.json.gz --release <release commit>

It migrates a new SQLite database with the release's migrations, loads its demo data, then drives the release's
own services so that every table holds at least one row: a case of each of the four processes taken through its
actions (an objection accepted and urged, a repair approved, a green-channel licence granted and another
commitment broken, the red-list removal that follows), evidence uploaded, a webhook endpoint registered and its
deliveries made, the platform told, notices delivered by e-mail, a setting changed, a calendar year imported, a
credit query, a monthly report, a refused log-in. It fails if a table is still empty, so a new release's table is
never left out unnoticed. The release's code may differ from this checkout's: the script uses only what the
releases so far have in common, and should be adapted (not the test) when a later release renames a service.

The output is JSON, gzip-compressed: {"release", "heads", "tables": {name: [row, ...]}}; a date-time is
{"$datetime": ISO 8601 in UTC}, a date {"$date": ...}, bytes {"$bytes": base64}.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import json
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import create_engine, func, inspect, select

PDF = b"%PDF-1.4\n% release fixture evidence\n"
GROUNDS = "原处罚决定已被复议机关撤销，请核实。"
RECTIFICATION = "已于2026年10月补报2023至2025年度年度报告，并缴清全部罚款。"
START = datetime(2026, 11, 2, 2, tzinfo=UTC)  # a Monday, 10:00 in Shanghai: the fixture's own day, not today


def encode(value):
    if isinstance(value, datetime):
        return {"$datetime": (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def scenario(url: str, instance: Path) -> None:
    """The release's services, as its users and its worker use them."""
    from tests.conftest import World, make_app, provisional_years
    from tests.receivers import HttpReceiver, SmtpServer
    from webapp.extensions import db
    from workflows import clock
    from workflows.automation.sweep import sweep
    from workflows.config import Config
    from workflows.demo import PERSON_BLACK, seed
    from workflows.services.admin import settings as settings_service
    from workflows.services.admin.accounts import use_fast_hashing_for_tests
    from workflows.services.casework import evidence
    from workflows.services.deliveries import webhooks
    from workflows.services.hub import credit_queries
    from workflows.services.supervision import monthly, urging
    from workflows.store.cases import Case
    from workflows.store.green import LicenceMatter

    use_fast_hashing_for_tests()
    with clock.travel(START), SmtpServer() as smtp, HttpReceiver(fail_first=1) as platform, \
            HttpReceiver() as hooks:
        app = make_app(url, instance)
        config = Config(instance_path=instance, database_url=url, secret_key="x", testing=True,
                        smtp_host="127.0.0.1", smtp_port=smtp.port, platform_url=platform.url,
                        webhook_allowed_hosts="127.0.0.1")
        app.config["CREDIT_CASES"].webhook_allowed_hosts = "127.0.0.1"
        request = SimpleNamespace(node=SimpleNamespace(get_closest_marker=lambda name: None))
        world = World(app, config, request)
        world.query(lambda s: (provisional_years(s), seed(s)))
        admin = world.query(lambda s: world.actor("admin"))
        world.query(lambda s: settings_service.change(s, "objection.verification_days", "21", admin))
        world.query(lambda s: webhooks.register_endpoint(s, world.actor("implementer"), hooks.url,
                                                         allow_http=True, allowed_hosts="127.0.0.1"))
        client = app.test_client()
        client.post("/login", data={"username": "office", "password": "not-the-password"})  # a throttle row

        # an objection: accepted, urged, with evidence
        objection = world.file("person", list_entry_id=world.entry_of("person"), grounds=GROUNDS,
                               contact_name="李明", contact_phone="13800000000")
        world.act(objection, "accept", "office")
        world.query(lambda s: evidence.store(s, s.get(Case, objection), [evidence.Upload("复议决定书.pdf", PDF)],
                                             world.actor("person"), config.upload_dir, 10**6))
        world.query(lambda s: urging.urge(s, [objection], world.actor("supervisor"), "请于三个工作日内反馈核实进度。"))
        world.drain()

        # a credit repair: approved, the entry exits, announced, key attention follows
        repair = world.file("applicant", "repair_exit", list_entry_id=world.entry_of("applicant"),
                            rectification=RECTIFICATION)
        world.query(lambda s: evidence.store(s, s.get(Case, repair), [evidence.Upload("缴款凭证.pdf", PDF)],
                                             world.actor("applicant"), config.upload_dir, 10**6))
        world.act(repair, "submit", "applicant", commitment_signed=True)
        world.act(repair, "accept", "office")
        world.drain()
        world.act(repair, "approve", "provider", key_attention_months=12)
        world.drain()

        # the green channel: one licence granted and published, one commitment broken (and the red-list
        # removal it sets off)
        deferrable = world.query(lambda s: [m.id for m in s.scalar(select(LicenceMatter).where(
            LicenceMatter.code == "FOOD-BIZ")).materials if not m.core])

        def green():
            case_id = world.file("redco", "conditional_acceptance", matter="FOOD-BIZ", missing=deferrable[:1],
                                 signed=True, signatory="王守信")
            world.act(case_id, "accept_with_commitment", "licensing", days_3=5)
            world.drain()
            return case_id

        granted = green()
        world.act(granted, "submit_materials", "redco", files=["平面图.pdf"], item=3, note="平面图已补交")
        world.act(granted, "verify_materials", "licensing", item=3, result="verified")
        world.drain()
        world.act(granted, "grant", "licensing", licence_no="JY14404000012345")
        world.drain()
        broken = green()
        due = world.query(lambda s: next(t.due_on for t in s.get(Case, broken).timers if t.kind == "materials"))
        with clock.travel(datetime.combine(due + timedelta(days=2), datetime.min.time(), UTC) + timedelta(hours=2)):
            world.query(lambda s: sweep(s))
            world.drain()
            world.query(lambda s: credit_queries.query_status(
                s, PERSON_BLACK, world.actor("implementer"), f"为李明（{PERSON_BLACK}）办理招投标资格审查"))
            world.query(lambda s: monthly.generate(s, "2026-10", clock.today()))
            world.drain()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def dump(url: str, release: str) -> dict:
    from workflows.store.base import Base
    from workflows.store.migrate import current_revisions

    engine = create_engine(url)
    tables = {}
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    missing = names - set(Base.metadata.tables)
    if missing:
        raise SystemExit(f"tables without a model in this release: {sorted(missing)}")
    with engine.connect() as connection:
        for name in sorted(names):
            table = Base.metadata.tables[name]
            order = list(table.primary_key.columns) or list(table.columns)
            tables[name] = [{key: encode(value) for key, value in row._mapping.items()}
                            for row in connection.execute(select(table).order_by(*order))]
        empty = [name for name in names if not connection.scalar(select(func.count()).select_from(
            Base.metadata.tables[name]))]
    engine.dispose()
    if empty:
        raise SystemExit(f"tables without a row: {sorted(empty)}: drive the services that fill them")
    return {"release": release, "heads": sorted(current_revisions(url)), "tables": tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--release", required=True, help="the release's commit")
    args = parser.parse_args()
    from workflows.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        url = f"sqlite:///{Path(folder) / 'release.sqlite'}"
        upgrade(url)
        scenario(url, instance)
        data = dump(url, args.release)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0)
    with gzip.GzipFile(args.output, "wb", mtime=0) as out:
        out.write(text.encode())
    counts = {name: len(rows) for name, rows in data["tables"].items()}
    print(f"{sum(counts.values())} rows in {len(counts)} tables at {', '.join(data['heads'])}: {counts}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
