"""Intake's own check of a package before anything is stored, beside the package validator: every file the
METS documents list is there with its size and SHA-256, every file of the package is listed, and every
metadata file the intake reads (EAD, PREMIS, sohoa.json, audit.jsonl) parses. The first problem is refused
with the file named; nothing has been stored at that point.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sohoa.domain.ports import CHUNK
from sohoa.services.preservation.intake.mets import MetsInfo, parse_xml
from sohoa.services.preservation.intake.source import PackageRefused

__all__ = ["check_package", "resolve"]

_XML_TYPES = {"EAD", "PREMIS"}


def resolve(root: Path, path: str) -> Path:
    """A listed path in the package. A representation METS that names a root metadata file by its path from
    the package root (not from its own folder) is read as meant."""
    found = root / path
    if not found.exists() and path.startswith("representations/"):
        parts = path.split("/")
        fallback = root.joinpath(*parts[2:]) if len(parts) > 2 else found
        if fallback.is_file():
            return fallback
    return found


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_one(root: Path, path: str, sha256: str | None, size: int | None, listed_in: str) -> Path:
    target = resolve(root, path)
    if not target.is_file():
        raise PackageRefused(f"Thiếu tệp {path} (được liệt kê trong {listed_in})",
                             f"{path} is missing (listed in {listed_in})", path)
    if size is not None and target.stat().st_size != size:
        raise PackageRefused(f"Tệp {path} sai kích thước: {target.stat().st_size} thay vì {size} byte",
                             f"{path} has {target.stat().st_size} bytes, not {size}", path)
    if sha256 is not None and _digest(target) != sha256:
        raise PackageRefused(f"Tệp {path} không khớp mã SHA-256 trong {listed_in} (đã bị thay đổi hoặc hỏng)",
                             f"{path} does not match its SHA-256 in {listed_in} (altered or damaged)", path)
    return target


def check_package(root: Path, info: MetsInfo) -> None:
    """Refuse the package on its first missing, unlisted, altered or unreadable file, or on a link (a package
    holds its files; a link could point anywhere on this machine)."""
    links = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_symlink())
    if links:
        raise PackageRefused(f"Gói chứa liên kết tượng trưng: {links[0]}", f"The package holds a symbolic link: "
                             f"{links[0]}", links[0])
    listed = {"METS.xml"}
    for item in info.files:
        listed.add(str(_check_one(root, item.path, item.sha256, item.size, item.listed_in).relative_to(root)))
    for ref in info.md_refs:
        target = _check_one(root, ref.path, ref.sha256, None, ref.listed_in)
        listed.add(str(target.relative_to(root)))
        label = str(target.relative_to(root))
        if ref.mdtype in _XML_TYPES:
            parse_xml(target, label)
        elif target.suffix == ".json":
            try:
                json.loads(target.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise PackageRefused(f"{label} không phải JSON hợp lệ: {exc}", f"{label} is not valid JSON: {exc}",
                                     label) from exc
    unlisted = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                      and str(p.relative_to(root)) not in listed)
    if unlisted:
        raise PackageRefused(f"Tệp {unlisted[0]} không được METS liệt kê (gói bị thêm tệp?)",
                             f"{unlisted[0]} is not listed in any METS (a file added to the package?)", unlisted[0])
