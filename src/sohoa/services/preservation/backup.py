"""``sohoa backup``: full and incremental backup sets (database, objects, keys, audit checkpoints), and their
daily/monthly schedule.

TT 05/2025 with Luật Lưu trữ 2024 asks for backups in at least two sets on independent media, a daily
incremental and a monthly full: by default the web app makes an incremental every day at ``SOHOA_BACKUP_HOUR``
and a full on day ``SOHOA_BACKUP_FULL_DAY`` of the month (also whenever the folder holds no full set yet); a
second medium is written with ``sohoa backup --to``. Every set holds the whole database (a consistent copy, see
:mod:`backup_db`); an incremental holds only the objects that no set of its chain holds yet. The OCFL root is not
copied: it is rebuilt from the database and the objects (``sohoa ocfl sync``) after a restore.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sohoa.db.session import schema_heads
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, ObjectMissing, ObjectStore
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.replica_store import primary_store
from sohoa.services.preservation.backup_db import dump_database
from sohoa.services.preservation.backup_set import (
    FORMAT,
    MANIFEST,
    MANIFEST_SUM,
    SUFFIX,
    BackupSummary,
    backup_dir,
    backup_history,
    chain_of,
    file_sha256,
    list_sets,
)
from sohoa.services.preservation.events import AGENT, VN_TIME
from sohoa.services.preservation.lease import single_runner
from sohoa.settings import Settings
from sohoa.storage.private import private_dir

__all__ = ["BackupReport", "BackupSummary", "backup_due", "backup_history", "backup_pass", "backup_task", "keys_dir_of",
           "make_backup"]

log = logging.getLogger(__name__)

OBJECTS = "objects/sha256"
COPIERS = 4  # objects copied into a set at once
CHECK_EVERY = 600.0  # seconds between two looks of the web app at whether a backup is due


@dataclass
class BackupReport:
    """One set written: where, its kind and base, objects copied into it of those the database names, its
    size, and the problems met (an object missing or damaged in the store is named, not copied)."""

    path: Path
    kind: str
    base: str | None
    objects_in_set: int
    objects_total: int
    size: int
    problems: list[str] = field(default_factory=list)


def keys_dir_of(settings: Settings) -> Path:
    """The key-encryption keys folder: ``SOHOA_KEYS_DIR``, else ``<data>/../<data-name>-keys``."""
    return settings.keys_path


def _object_rel(sha256: str) -> str:
    return f"{OBJECTS}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _objects_in(manifest: dict[str, Any]) -> set[str]:
    return {rel.rsplit("/", 1)[1] for rel in manifest["files"] if rel.startswith(OBJECTS + "/")}


def _copy_object(store: ObjectStore, sha256: str, dest: Path) -> tuple[str, int]:
    private_dir(dest.parent)
    digest, size = hashlib.sha256(), 0
    with store.open_stored(sha256) as src, dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def _take(store: ObjectStore, partial: Path, sha256: str) -> tuple[str, str, str | None]:
    """Copy one object into the set: (its path in the set, digest of the bytes copied, the problem or None)."""
    rel = _object_rel(sha256)
    try:
        digest, _size = _copy_object(store, sha256, partial / rel)
    except (ObjectMissing, OSError) as exc:
        (partial / rel).unlink(missing_ok=True)
        return rel, "", f"not copied: {exc}"
    if not store.is_encrypted(sha256) and digest != sha256:
        (partial / rel).unlink()
        return rel, digest, "is damaged in the store: not copied (repair it, then back up)"
    return rel, digest, None


def _copy_tree(source: Path, dest: Path) -> None:
    """Every file under ``source`` into ``dest`` (folders 0700, files 0600); nothing when absent."""
    if not source.exists():
        return
    if source.is_file():
        private_dir(dest.parent)
        shutil.copyfile(source, dest)
        os.chmod(dest, 0o600)
        return
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith(".sohoa-tmp-"):
            _copy_tree(path, dest / path.relative_to(source))


def _new_set_dir(directory: Path, kind: str) -> tuple[str, Path]:
    for _ in range(5):
        name = datetime.now(VN_TIME).strftime("%Y%m%dT%H%M%S%z") + SUFFIX[kind]
        partial = directory / f".partial-{name}"
        if not (directory / name).exists():
            try:
                partial.mkdir(mode=0o700)
                return name, partial
            except FileExistsError:
                pass
        time.sleep(1.0)  # names are to the second: one set per second
    raise SohoaError("Không tạo được thư mục bộ sao lưu", f"Cannot create a backup set folder in {directory}")


def _check_target(settings: Settings, directory: Path) -> None:
    if directory == settings.data or settings.data in directory.parents:
        raise SohoaError(f"Thư mục sao lưu {directory} nằm trong thư mục dữ liệu: bản sao lưu sẽ mất cùng dữ liệu",
                         f"The backup folder {directory} is inside the data directory: it would be lost with the data")


def make_backup(ctx: AppContext, *, full: bool | None = None, to: Path | None = None) -> BackupReport:
    """Write one set into ``to`` (default ``SOHOA_BACKUP_DIR``): a full when asked, or when the folder holds no
    set yet; else an incremental on the newest set there."""
    settings = ctx.settings
    directory = (to or backup_dir(settings)).expanduser().resolve()
    _check_target(settings, directory)
    private_dir(directory)
    sets = list_sets(directory)
    kind = "full" if full or not sets else "incremental"
    base = sets[-1] if kind == "incremental" else None
    chain_objects: set[str] = set()
    if base is not None:
        try:
            for _path, manifest in chain_of(base):
                chain_objects |= _objects_in(manifest)
        except SohoaError as exc:  # the newest set's chain is broken (a base deleted or altered): start anew
            log.warning("backup: the chain of %s cannot be used (%s); making a full set", base.name, exc.en)
            kind, base, chain_objects = "full", None, set()
    name, partial = _new_set_dir(directory, kind)
    try:
        report = _write_set(ctx, partial, name, kind, base.name if base else None, chain_objects)
        os.replace(partial, directory / name)  # a folder named like a set is complete
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    report.path = directory / name
    log.info("backup %s: %d objects, %d bytes", name, report.objects_in_set, report.size)
    return report


def _write_set(ctx: AppContext, partial: Path, name: str, kind: str, base: str | None,
               chain_objects: set[str]) -> BackupReport:
    settings = ctx.settings
    snapshot = dump_database(settings, partial)
    store = primary_store(ctx.store)
    files: dict[str, str] = {}
    report = BackupReport(partial, kind, base, 0, len(snapshot.objects), 0)
    wanted = [sha256 for sha256 in snapshot.objects if sha256 not in chain_objects]
    with ThreadPoolExecutor(COPIERS, thread_name_prefix="sohoa-backup") as pool:  # copies wait on fsync
        for sha256, (rel, digest, problem) in zip(wanted, pool.map(lambda d: _take(store, partial, d), wanted),
                                                  strict=True):
            if problem is not None:
                report.problems.append(f"object {sha256} {problem}")
                continue
            files[rel] = digest
            report.objects_in_set += 1
    _copy_tree(settings.data / "keys", partial / "keys" / "data" / "keys")
    _copy_tree(settings.data / "secret.key", partial / "keys" / "data" / "secret.key")
    _copy_tree(keys_dir_of(settings), partial / "keys" / "kek")
    _copy_tree(settings.data / "audit", partial / "audit")
    for path in sorted(partial.rglob("*")):
        rel = path.relative_to(partial).as_posix()
        if path.is_file() and rel not in files:
            files[rel] = file_sha256(path)[0]
    report.size = sum((partial / rel).stat().st_size for rel in files)
    manifest = {
        "format": FORMAT, "name": name, "kind": kind, "base": base,
        "created": datetime.now(VN_TIME).isoformat(timespec="seconds"), "sohoa_version": AGENT,
        "schema_heads": sorted(schema_heads()),
        "database": {"dialect": snapshot.dialect, "file": snapshot.file, "schema": snapshot.schema},
        "counts": snapshot.counts, "audit": snapshot.audit,
        "objects": {"total": len(snapshot.objects), "in_set": report.objects_in_set},
        "size": report.size, "problems": report.problems, "files": files,
    }
    raw = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
    summed = f"{hashlib.sha256(raw).hexdigest()}  {MANIFEST}\n".encode()
    for file_name, data in ((MANIFEST, raw), (MANIFEST_SUM, summed)):
        with (partial / file_name).open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    return report


def backup_due(settings: Settings, now: datetime | None = None) -> str | None:
    """``"full"``, ``"incremental"`` or None: what the schedule asks for now. Once a day from
    ``SOHOA_BACKUP_HOUR`` (local time), a full on ``SOHOA_BACKUP_FULL_DAY``, or when the last full is more than a
    month old (a missed day), or none exists."""
    if settings.backup_hour < 0:
        return None
    zone = ZoneInfo(settings.time_zone)
    local = (now or datetime.now(VN_TIME)).astimezone(zone)
    if local.hour < settings.backup_hour:
        return None
    history = backup_history(settings)
    if history and datetime.fromisoformat(history[0].created).astimezone(zone).date() == local.date():
        return None
    fulls = [datetime.fromisoformat(s.created).astimezone(zone) for s in history if s.kind == "full"]
    if local.day == settings.backup_full_day or not fulls or (local - fulls[0]).days > 31:
        return "full"
    return "incremental"


def backup_pass(ctx: AppContext) -> BackupReport | None:
    """The scheduled backup, when due, in the one web process holding the ``backup`` lease."""
    kind = backup_due(ctx.settings)
    if kind is None:
        return None
    with single_runner(ctx, "backup") as mine:
        if not mine or backup_due(ctx.settings) is None:
            return None
        report = make_backup(ctx, full=kind == "full")
        for problem in report.problems:
            log.error("backup %s: %s", report.path.name, problem)
        return report


def backup_task(ctx: AppContext) -> PeriodicTask | None:
    """The web app's look at the schedule every 10 minutes; None when ``SOHOA_BACKUP_HOUR`` is -1."""
    if ctx.settings.backup_hour < 0:
        return None
    return PeriodicTask("backup", lambda: backup_pass(ctx), CHECK_EVERY, wait_first=True)
