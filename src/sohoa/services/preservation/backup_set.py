"""Backup sets on disk: their names, their manifest, the chain of an incremental back to its full, the re-hash
that verifies a set, and the history the preservation page shows.

A set is a folder ``<dir>/<YYYYmmddTHHMMSS+0700>-full`` (or ``-incr``) holding::

    manifest.json      kind, base set, creation time at +07:00, Sohoa version, schema heads, row counts, audit
                       head, and the SHA-256 of every other file of the set
    manifest.sha256    the SHA-256 of manifest.json (sha256sum format)
    database/          sohoa.sqlite3 (SQLite online backup) or sohoa.pgdump (pg_dump -Fc)
    objects/sha256/ab/cd/<digest>   stored bytes (an incremental holds only objects no earlier set of its chain has)
    keys/data/…        the data directory's keys/ (audit checkpoint key, …) and secret.key
    keys/kek/…         the key-encryption keys (SOHOA_KEYS_DIR): protect the medium as you protect the keys
    audit/…            the signed audit checkpoint files

A set is written under ``.partial-<name>`` and renamed when complete, so a folder named like a set is whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sohoa.domain.errors import NotFound, SohoaError, ValidationFailed
from sohoa.domain.ports import CHUNK
from sohoa.settings import Settings

__all__ = ["FORMAT", "BackupSummary", "backup_dir", "backup_history", "chain_of", "file_sha256", "list_sets",
           "read_manifest", "verify_set"]

FORMAT = "sohoa-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
SUFFIX = {"full": "-full", "incremental": "-incr"}


@dataclass(frozen=True)
class BackupSummary:
    """One backup set as the preservation page lists it: name, kind (full/incremental), base set, creation time
    (ISO 8601 at +07:00), objects copied into this set, its size in bytes, and the folder."""

    name: str
    kind: str
    base: str | None
    created: str
    objects: int
    size: int
    path: Path


def backup_dir(settings: Settings) -> Path:
    """``SOHOA_BACKUP_DIR``, else a folder beside (not inside) the data directory: ``<data>/../<name>-backups``."""
    if settings.backup_dir is not None:
        return settings.backup_dir.expanduser().resolve()
    return settings.data.parent / f"{settings.data.name}-backups"


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_manifest(set_dir: Path) -> dict[str, Any]:
    """A set's manifest, checked against ``manifest.sha256``; NotFound/ValidationFailed otherwise."""
    path = set_dir / MANIFEST
    if not path.is_file():
        raise NotFound(f"Không phải bộ sao lưu (thiếu {MANIFEST}): {set_dir}",
                       f"Not a backup set (no {MANIFEST}): {set_dir}")
    raw = path.read_bytes()
    expected = (set_dir / MANIFEST_SUM).read_text(encoding="ascii").split()[0] \
        if (set_dir / MANIFEST_SUM).is_file() else None
    if expected != hashlib.sha256(raw).hexdigest():
        raise ValidationFailed(f"Bản kê của bộ sao lưu {set_dir.name} bị sửa hoặc hỏng",
                               f"The manifest of backup set {set_dir.name} was altered or is damaged")
    data: Any = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationFailed(f"Định dạng bộ sao lưu không nhận ra: {set_dir}",
                               f"Unknown backup set format: {set_dir}")
    return data


def list_sets(directory: Path) -> list[Path]:
    """The complete sets in ``directory``, oldest first (names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file())


def chain_of(set_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The set and its bases, the full first: what a restore applies, in order."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    current: Path | None = set_dir.resolve()
    while current is not None:
        manifest = read_manifest(current)
        chain.append((current, manifest))
        if manifest["kind"] == "full":
            break
        base = manifest.get("base")
        if not base or len(chain) > 10000:
            raise ValidationFailed(f"Bộ sao lưu gia tăng {current.name} không có bộ gốc",
                                   f"Incremental set {current.name} names no base set")
        current = current.parent / str(base)
        if not current.is_dir():
            raise NotFound(f"Thiếu bộ sao lưu gốc {base} (cần để khôi phục {set_dir.name})",
                           f"Base set {base} is missing (needed to restore {set_dir.name})")
    return list(reversed(chain))


def verify_set(set_dir: Path) -> list[str]:
    """Re-hash every file of one set against its manifest: the problems found (English), none when intact.
    Files present but not in the manifest are reported too."""
    try:
        manifest = read_manifest(set_dir)
    except SohoaError as exc:
        return [exc.en]
    problems = []
    files: dict[str, str] = manifest["files"]
    for rel, expected in sorted(files.items()):
        path = set_dir / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif file_sha256(path)[0] != expected:
            problems.append(f"checksum mismatch: {rel}")
    known = set(files) | {MANIFEST, MANIFEST_SUM}
    problems.extend(f"not in the manifest: {rel}" for rel in _walk(set_dir) if rel not in known)
    return problems


def _walk(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix()


def backup_history(settings: Settings) -> list[BackupSummary]:
    """The sets in ``SOHOA_BACKUP_DIR``, newest first (a set whose manifest does not verify is left out)."""
    out = []
    for path in reversed(list_sets(backup_dir(settings))):
        try:
            manifest = read_manifest(path)
        except SohoaError:
            continue
        out.append(BackupSummary(path.name, str(manifest["kind"]), manifest.get("base"), str(manifest["created"]),
                                 int(manifest["objects"]["in_set"]), int(manifest["size"]), path))
    return out


def created_at(summary: BackupSummary) -> datetime:
    return datetime.fromisoformat(summary.created)
