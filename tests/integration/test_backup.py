"""Backup and restore: one archive of the database and the uploads; a purge made after the backup is carried
again when that backup is restored (the erasure log beside the uploads), so restored data never brings back
personal data that was erased; the restored history verifies; a damaged archive changes nothing."""
from __future__ import annotations

import io
import tarfile

import pytest
from sqlalchemy import select

from tests.integration.test_purge_scan import FILE_NAME, GROUNDS, NAME, PDF, PERSON_BLACK, PHONE, on_disk, scan
from workflows.operations import backup
from workflows.services.casework import evidence
from workflows.store import erasure_log
from workflows.store.cases import Case
from workflows.store.models import ListEntry, Subject


def objection_with_evidence(world) -> tuple[int, int]:
    """The person objects to the court's listing with a file; the office accepts (the entry is suspended)."""
    entry_id = world.entry_of("person")
    case_id = world.file("person", list_entry_id=entry_id, grounds=GROUNDS, contact_name=NAME, contact_phone=PHONE)
    world.query(lambda s: evidence.store(s, s.get(Case, case_id), [evidence.Upload(FILE_NAME, PDF)],
                                         world.actor("person"), world.config.upload_dir, world.config.max_upload_bytes))
    world.drain()
    world.act(case_id, "accept", "office")
    world.drain()
    return entry_id, case_id


def revoke(world, case_id: int) -> None:
    world.act(case_id, "revoke", "court", reason=f"经核实，{NAME}（{PERSON_BLACK}）系被他人冒用身份。")
    world.drain()


def test_backup_purge_restore_keeps_the_purge(world, tmp_path):
    entry_id, case_id = objection_with_evidence(world)
    subject_id = world.query(lambda s: s.scalar(select(Subject.id).where(Subject.code == PERSON_BLACK)))
    archive = backup.backup(world.config, tmp_path / "backups")
    assert archive.name.startswith("credit-cases-") and archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and any(n.startswith("uploads/") and n != "uploads" for n in names)

    revoke(world, case_id)  # after the backup: the entry purged, its data erased, the erasure logged
    logged = erasure_log.read(erasure_log.path_for(world.config.instance_path))
    assert [line["list_entry_id"] for line in logged] == [entry_id]
    assert set(logged[0]) == {"id", "list_entry_id", "case_ids", "erased_at"}  # numbers only: nothing personal

    report = backup.restore(world.config, archive)
    assert report.ok, report.describe()
    assert report.entries_erased_again == [entry_id]  # the backup still held it: erased again
    assert world.query(lambda s: s.get(ListEntry, entry_id).status) == "purged"
    leftovers = world.query(lambda s: scan(s, subject_id))
    assert not leftovers, "personal data back after the restore:\n" + "\n".join(leftovers)
    assert not on_disk(world.config.upload_dir)
    assert "the chain holds" in report.verdict and "1 erasure(s) carried again" in report.describe()
    if world.config.database_url.startswith("sqlite"):  # (a second pg_restore adds 8 s and nothing new)
        again = backup.restore(world.config, archive)  # the same archive twice: the same result, still verified
        assert again.ok and again.entries_erased_again == [entry_id]


def test_a_damaged_archive_is_refused_before_anything_changes(world, tmp_path):
    objection_with_evidence(world)
    archive = backup.backup(world.config, tmp_path / "one.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("uploads/") and member.isfile():
                data = data.replace(b"%PDF", b"%PDX")
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    before = sorted(p.name for p in world.config.upload_dir.rglob("*"))
    with pytest.raises(backup.BackupError, match="does not match its SHA-256"):
        backup.restore(world.config, damaged)
    assert sorted(p.name for p in world.config.upload_dir.rglob("*")) == before
