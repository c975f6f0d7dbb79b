"""The erasure log: a file beside the uploads, apart from the database, naming each purged entry once erased.

A backup restored after a purge brings the purged data back; the restore reads this log and erases again
every entry it names (workflows/operations/backup.py), so data once erased stays erased. A line holds
numbers only (the entry, its cases, when): the log itself keeps nothing personal. It is appended only after
the erasure's transaction commits (a rolled-back erasure is not logged), and flushed to disk at once.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

FILE_NAME = "erasure-log.jsonl"
PENDING = "erasure_log_pending"


def path_for(instance_path: Path) -> Path:
    return Path(instance_path) / FILE_NAME


def after_commit_append(session: Session, log_path: Path, entry_id: int, case_ids: list[int], at: str) -> None:
    """Append this erasure to the log once `session` commits."""
    line = {"id": uuid.uuid4().hex, "list_entry_id": entry_id, "case_ids": sorted(case_ids), "erased_at": at}
    session.info.setdefault(PENDING, []).append((Path(log_path), line))


def append(log_path: Path, lines: list[dict]) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read(log_path: Path) -> list[dict]:
    if not Path(log_path).exists():
        return []
    lines = []
    for text in Path(log_path).read_text(encoding="utf-8").splitlines():
        if text.strip():
            lines.append(json.loads(text))
    return lines


def merge(*logs: list[dict]) -> list[dict]:
    """Every erasure of these logs once, in the order they happened."""
    seen, merged = set(), []
    for line in sorted((line for log in logs for line in log), key=lambda line: line["erased_at"]):
        if line["id"] not in seen:
            seen.add(line["id"])
            merged.append(line)
    return merged


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    by_path: dict[Path, list[dict]] = {}
    for log_path, line in pending:
        by_path.setdefault(log_path, []).append(line)
    for log_path, lines in by_path.items():
        append(log_path, lines)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
