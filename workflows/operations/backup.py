"""`credit-cases backup` and `credit-cases restore`: the database and the upload folder in one archive.

A backup is a gzipped tar: `manifest.json` (when, which database, its schema revisions, the SHA-256 of every
other member), the database (SQLite's online backup API, or `pg_dump --format=custom`), the upload folder,
and a copy of the erasure log. A restore checks every member against the manifest before it changes
anything, puts the database and the uploads back, migrates the schema to this code's, erases again every
entry the erasure log names (this machine's log and the archive's copy, merged; the log is kept apart from
the database for exactly this), and verifies the history's hash chain. Restored data never brings back
personal data that was erased after the backup.

Stop the web app, the workers and the scheduler before a restore; a backup may run while they work.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from workflows.config import Config
from workflows.domain.process import Actor
from workflows.services.admin import audit
from workflows.services.casework import history
from workflows.services.lists import erasure
from workflows.store import erasure_log
from workflows.store.base import utcnow
from workflows.store.db import make_session_factory
from workflows.store.migrate import current_revisions, upgrade
from workflows.store.models import ListEntry, Measure

FORMAT = 1
MANIFEST = "manifest.json"
RESTORER = Actor.system("restore")


class BackupError(RuntimeError):
    """The archive cannot be made or restored; the message says why."""


@dataclass
class RestoreReport:
    archive: Path
    files_checked: int = 0
    erasures_replayed: int = 0
    entries_erased_again: list[int] = field(default_factory=list)
    verdict: str = ""
    ok: bool = False

    def describe(self) -> str:
        return "\n".join([
            f"restored from {self.archive.name}",
            f"  {self.files_checked} file(s) match the manifest's SHA-256",
            f"  erasure log: {self.erasures_replayed} erasure(s) carried again; "
            f"{len(self.entries_erased_again)} entry(ies) the backup still held erased again",
            f"  audit verify: {self.verdict}",
        ])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL pg_dump and pg_restore take, and the password in their environment (never in their argv)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def _dump_database(url: str, folder: Path) -> str:
    if _kind(url) == "sqlite":
        name = "database.sqlite"
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(folder / name)
        with target:
            source.backup(target)  # a consistent copy while the parts write (SQLite's online backup API)
        target.close()
        source.close()
        return name
    name = "database.dump"
    libpq, env = _libpq(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / name), libpq], env)
    return name


def _run(argv: list[str], env: dict) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {result.stderr.strip()[-2000:]}")


def backup(config: Config, target: Path) -> Path:
    """Write one archive; `target` is a folder (a name with the time is made) or a file name."""
    target = Path(target)
    stamp = utcnow().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = target / f"credit-cases-{stamp}.tar.gz" if target.is_dir() or not target.suffix else target
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="credit-cases-backup-") as work:
        folder = Path(work)
        members = [_dump_database(config.database_url, folder)]
        uploads = folder / "uploads"
        if config.upload_dir.exists():
            shutil.copytree(config.upload_dir, uploads)
        else:
            uploads.mkdir()
        members += [str(p.relative_to(folder)) for p in sorted(uploads.rglob("*")) if p.is_file()]
        log = erasure_log.path_for(config.instance_path)
        if log.exists():
            shutil.copy(log, folder / erasure_log.FILE_NAME)
            members.append(erasure_log.FILE_NAME)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "database": _kind(config.database_url),
            "schema": sorted(current_revisions(config.database_url)),
            "files": {name: _sha256(folder / name) for name in members},
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(folder / MANIFEST, MANIFEST)
            tar.add(uploads, "uploads")
            for name in members:
                if not name.startswith("uploads/"):
                    tar.add(folder / name, name)
        partial.replace(archive)  # a half-written archive never carries the final name
    archive.chmod(0o600)  # it holds personal data
    return archive


def _extract_and_check(archive: Path, folder: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive.name}: not a readable backup archive ({error})") from error
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive.name}: no readable {MANIFEST}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive.name}: archive format {manifest.get('format')}, this release reads {FORMAT}")
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{archive.name}: {name} is missing")
        if _sha256(path) != digest:
            raise BackupError(f"{archive.name}: {name} does not match its SHA-256 in the manifest")
    listed = set(manifest["files"]) | {MANIFEST}
    extra = [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and str(p.relative_to(folder)) not in listed]
    if extra:
        raise BackupError(f"{archive.name}: {extra[0]} is not in the manifest")
    return manifest


def _restore_database(url: str, folder: Path, manifest: dict) -> None:
    if manifest["database"] != _kind(url):
        raise BackupError(f"the archive holds a {manifest['database']} database; "
                          f"CREDIT_CASES_DATABASE_URL names a {_kind(url)} one")
    if _kind(url) == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(folder / "database.sqlite")
        target = sqlite3.connect(path)
        with target:
            source.backup(target)  # page by page over the live file, its WAL included
        target.close()
        source.close()
        return
    libpq, env = _libpq(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", libpq,
          str(folder / "database.dump")], env)


def _restore_uploads(config: Config, folder: Path) -> None:
    """The archive's uploads replace the folder: a file uploaded after the backup belongs to no restored row."""
    if config.upload_dir.exists():
        shutil.rmtree(config.upload_dir)
    shutil.copytree(folder / "uploads", config.upload_dir)


def replay_erasures(config: Config, lines: list[dict]) -> list[int]:
    """Erase again every entry the log names (purged as a tombstone, its measures stopped, every copy of its data
    erased, evidence files deleted); returns the entries that still held data."""
    sessions = make_session_factory(config.database_url)
    again = []
    try:
        for line in lines:
            with sessions() as session:
                entry = session.get(ListEntry, line["list_entry_id"])
                if entry is None:
                    continue  # made after the backup: not in the restored data
                now = utcnow()
                held_data = entry.status != "purged"
                if held_data:
                    entry.change_status("purge", at=now)
                    for measure in session.scalars(select(Measure).where(Measure.list_entry_id == entry.id)):
                        if measure.status != "stopped":
                            measure.change_status("stop", at=now)
                erasure.erase_purged_entry(session, entry, RESTORER, config.upload_dir, logged=False)
                history.record(session, actor=RESTORER, action="replay_erasure", entity_type="list_entry",
                               entity_id=entry.id, data={"erased_at": line["erased_at"], "log_id": line["id"]})
                session.commit()
                if held_data:
                    again.append(entry.id)
    finally:
        sessions.kw["bind"].dispose()
    return again


def verify(config: Config) -> audit.Verdict:
    sessions = make_session_factory(config.database_url)
    try:
        with sessions() as session:
            return audit.verify(session)
    finally:
        sessions.kw["bind"].dispose()


def restore(config: Config, archive: Path) -> RestoreReport:
    archive = Path(archive)
    report = RestoreReport(archive)
    with tempfile.TemporaryDirectory(prefix="credit-cases-restore-") as work:
        folder = Path(work)
        manifest = _extract_and_check(archive, folder)  # nothing changes unless every member is intact
        report.files_checked = len(manifest["files"])
        log_path = erasure_log.path_for(config.instance_path)
        carried = folder / erasure_log.FILE_NAME
        lines = erasure_log.merge(erasure_log.read(log_path), erasure_log.read(carried) if carried.exists() else [])
        _restore_database(config.database_url, folder, manifest)
        _restore_uploads(config, folder)
    if lines and {line["id"] for line in lines} != {line["id"] for line in erasure_log.read(log_path)}:
        log_path.unlink(missing_ok=True)
        erasure_log.append(log_path, lines)  # this machine keeps every erasure it now knows of
    upgrade(config.database_url)  # an older backup: its schema brought to this code's
    report.entries_erased_again = replay_erasures(config, lines)
    report.erasures_replayed = len(lines)
    verdict = verify(config)
    report.verdict, report.ok = verdict.describe(), verdict.ok
    return report
