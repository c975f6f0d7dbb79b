"""Evidence files: type checked by content, size limited, stored outside the web root under random names."""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import filetype
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.services.casework import history
from workflows.store.base import utcnow
from workflows.store.cases import Case, EvidenceFile

# magic bytes -> (content type, what to call it in an error)
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
NAMES = {"application/pdf": "a PDF", "image/png": "a PNG image", "image/jpeg": "a JPEG image"}
# a name's extension must agree with the content; a name without one is accepted
EXTENSIONS = {"application/pdf": {".pdf"}, "image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"}}
MAX_FILES_PER_ACTION = 10


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if content.startswith(magic)), None)


def clean_name(filename: str) -> str:
    """The last path component only, without control characters: never used as a path."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    return name.strip(" .")[:200] or "file"


def check_name(filename: str, field: str = "files") -> None:
    """A browser sends a file's name only: a path in it (../, C:\\) is an attack or a broken client."""
    raw = filename or ""
    if "/" in raw or "\\" in raw or raw.strip() in (".", ".."):
        raise InvalidInput(N_("the file name '%(name)s' was sent with a path (%(raw)s): send the file's name only"),
                           field=field, name=clean_name(raw), raw=repr(raw[:80]))
    if any(unicodedata.category(c) == "Cc" for c in raw):
        raise InvalidInput(N_("the file name '%(name)s' contains control characters"), field=field,
                           name=clean_name(raw))


def check(upload: Upload, max_bytes: int, field: str = "files") -> str:
    check_name(upload.filename, field)
    if not upload.content:
        raise InvalidInput(N_("'%(name)s' is empty"), field=field, name=clean_name(upload.filename))
    if len(upload.content) > max_bytes:
        raise InvalidInput(N_("'%(name)s' is larger than %(mb)s MB"), field=field, name=clean_name(upload.filename),
                           mb=max_bytes // (1024 * 1024))
    name = clean_name(upload.filename)
    kind = sniff(upload.content)
    if kind is None:
        actual = filetype.guess(upload.content[:8192])
        if actual is None:
            raise InvalidInput(N_("'%(name)s' is not a PDF, PNG or JPEG file (checked by its content)"), field=field,
                               name=name)
        raise InvalidInput(N_("'%(name)s' is not a PDF, PNG or JPEG file (checked by its content; its content is "
                              "%(kind)s)"), field=field, name=name, kind=f"{actual.extension.upper()} ({actual.mime})")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix and suffix not in EXTENSIONS[kind]:
        raise InvalidInput(N_("'%(name)s' is named as a %(suffix)s file but its content is %(kind)s: upload the file "
                              "under its real name"), field=field, labels={"kind": "file_kind"}, name=name,
                           suffix=suffix, kind=NAMES[kind])
    return kind


def store(session: Session, case: Case, uploads: list[Upload], actor: Actor, upload_dir: Path, max_bytes: int,
          purpose: str = "evidence") -> list[EvidenceFile]:
    """Check every file first, then write them all: a bad file among good ones stores nothing."""
    if len(uploads) > MAX_FILES_PER_ACTION:
        raise InvalidInput(N_("at most %(count)s files at once"), field="files", count=MAX_FILES_PER_ACTION)
    kinds = [check(upload, max_bytes) for upload in uploads]
    upload_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upload_dir.chmod(0o700)
    stored = []
    for upload, kind in zip(uploads, kinds):
        name = secrets.token_hex(16)
        _write_private(upload_dir / name, upload.content)
        row = EvidenceFile(case=case, stored_name=name, original_name=clean_name(upload.filename), content_type=kind,
                           size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
                           purpose=purpose, uploaded_by_id=actor.user_id, uploaded_at=utcnow())
        session.add(row)
        stored.append(row)
    if stored:
        session.flush()
        history.record(session, actor=actor, action="upload", entity_type="case", entity_id=case.id, case_id=case.id,
                       data={"files": [f.original_name for f in stored], "purpose": purpose})
    return stored


def _write_private(path: Path, content: bytes) -> None:
    """A new file readable and writable by the service's user alone (0600), whatever the process's umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def path_of(evidence: EvidenceFile, upload_dir: Path) -> Path:
    path = (upload_dir / evidence.stored_name).resolve()
    if path.parent != upload_dir.resolve() or not path.is_file():
        raise NotFound("the file is missing", field="file")
    return path
