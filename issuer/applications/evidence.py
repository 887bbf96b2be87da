"""Uploaded evidence: what a file really is, how big it may be, and where its bytes go.

The type is decided from the first bytes (PDF, JPEG, PNG signatures), never from
the name or the browser's Content-Type. Bytes are written under a directory that
nothing serves, named by their SHA-256; the store keeps the record. Only the
applicant (for their own applications) and officials read them back.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from issuer.config import Config
from issuer.errors import InvalidFieldError, NotFoundError
from issuer.model import timestamp
from keys.edge.files import write_private

from .model import ApplicationState, EvidenceItem, EvidenceKind
from .records import new_key
from .store import ApplicationStore

__all__ = ["EvidenceFiles", "MAX_EVIDENCE_BYTES", "MAX_FILES", "evidence_directory", "sniff_type"]

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_COLUMNS = "evidence_id, app_id, kind, content_type, size, sha256, original_name, uploaded_at, uploaded_by"


def evidence_directory(config: Config) -> Path:
    """Where uploaded evidence is kept: beside a SQLite registry file, else beside the key
    store (var/issuer/evidence); never under a directory the service serves."""
    target = config.registry_path
    if target != ":memory:" and "://" not in target and not target.startswith("file:"):
        return Path(target).resolve().parent / "evidence"
    return Path(config.keys_dir).resolve().parent / "evidence"


def sniff_type(data: bytes) -> str | None:
    """The content type the bytes begin with, or None when they are none of PDF, JPEG, PNG."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


class EvidenceFiles:
    """Evidence of one store, with its bytes in ``directory``."""

    def __init__(self, store: ApplicationStore, directory: Path) -> None:
        self.store = store
        self.directory = directory

    def add(self, app_id: str, kind: str, filename: str, data: bytes, *, actor: str, now: datetime) -> EvidenceItem:
        """Keep one file for a draft (or an application in preview, which goes back to draft)."""
        try:
            which = EvidenceKind(kind)
        except ValueError:
            raise InvalidFieldError("evidence", "请选择材料类型", "Choose what the file shows") from None
        if not data:
            raise InvalidFieldError("evidence", "请选择要上传的文件", "Choose a file to upload")
        if len(data) > MAX_EVIDENCE_BYTES:
            raise InvalidFieldError("evidence", "文件不能超过5MB", "The file must be 5 MB or smaller")
        content_type = sniff_type(data)
        if content_type is None:
            raise InvalidFieldError("evidence", "只接受PDF、JPG或PNG文件", "Only PDF, JPEG or PNG files are accepted")
        app = self.store.get(app_id)
        if app.state not in (ApplicationState.DRAFT, ApplicationState.PREVIEW):
            raise InvalidFieldError("evidence", "申请已提交，不能再上传材料", "The application is submitted: no more uploads")
        digest = hashlib.sha256(data).hexdigest()
        self._write(digest, data)
        name = "".join(ch for ch in filename if ch.isprintable())[-100:] or "file"
        evidence_id = new_key()
        with self.store.sql.transaction():
            count = self.store.sql.scalar("SELECT count(*) FROM evidence WHERE app_id = ? AND removed_at IS NULL",
                                          (app_id,))
            if int(count) >= MAX_FILES:
                raise InvalidFieldError("evidence", f"每份申请最多{MAX_FILES}个文件", f"At most {MAX_FILES} files")
            self.store.sql.run(f"INSERT INTO evidence ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (evidence_id, app_id, which.value, content_type, len(data), digest, name,
                                timestamp(now), actor))
            if app.state is ApplicationState.PREVIEW:
                self.store.update(app_id, actor=actor, now=now)
        return self.get(app_id, evidence_id)

    def remove(self, app_id: str, evidence_id: str, *, actor: str, now: datetime) -> None:
        app = self.store.get(app_id)
        if app.state not in (ApplicationState.DRAFT, ApplicationState.PREVIEW):
            raise InvalidFieldError("evidence", "申请已提交，不能删除材料", "The application is submitted")
        with self.store.sql.transaction():
            changed = self.store.sql.run("UPDATE evidence SET removed_at = ? WHERE app_id = ? AND evidence_id = ? "
                                         "AND removed_at IS NULL", (timestamp(now), app_id, evidence_id))
            if not changed:
                raise NotFoundError("材料不存在", "no such file")
            if app.state is ApplicationState.PREVIEW:
                self.store.update(app_id, actor=actor, now=now)

    def list(self, app_id: str) -> list[EvidenceItem]:
        rows = self.store.sql.all(f"SELECT {_COLUMNS} FROM evidence WHERE app_id = ? AND removed_at IS NULL "
                                  "ORDER BY uploaded_at", (app_id,))
        return [_item(r) for r in rows]

    def get(self, app_id: str, evidence_id: str) -> EvidenceItem:
        row = self.store.sql.one(f"SELECT {_COLUMNS} FROM evidence WHERE app_id = ? AND evidence_id = ? "
                                 "AND removed_at IS NULL", (app_id, evidence_id))
        if row is None:
            raise NotFoundError("材料不存在", "no such file")
        return _item(row)

    def read(self, item: EvidenceItem) -> bytes:
        return self._path(item.sha256).read_bytes()

    def _path(self, digest: str) -> Path:
        return self.directory / digest[:2] / digest

    def _write(self, digest: str, data: bytes) -> None:
        target = self._path(digest)
        if target.exists():
            return
        write_private(target, data)  # 0600 from the first byte, replaced atomically


def _item(r: tuple[object, ...]) -> EvidenceItem:
    return EvidenceItem(evidence_id=str(r[0]), app_id=str(r[1]), kind=EvidenceKind(str(r[2])),
                        content_type=str(r[3]), size=int(str(r[4])), sha256=str(r[5]), original_name=str(r[6]),
                        uploaded_at=datetime.fromisoformat(str(r[7])), uploaded_by=str(r[8]))
