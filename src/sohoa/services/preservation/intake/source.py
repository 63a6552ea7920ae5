"""Where a package comes from: a directory, a .zip, or a BagIt bag (either of those) — opened as a directory
holding ``METS.xml``, after the bag's own manifests were checked.

A zip is unpacked into a private work folder (names escaping it, links and absurd sizes refused); a bag is
refused when a payload or tag file is missing, unlisted or does not hash to its manifest line. Every refusal
names the bad file in Vietnamese and English and nothing is stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK
from sohoa.storage.private import private_dir

__all__ = ["PackageRefused", "PackageSource", "open_package"]

MAX_UNPACKED = 64 * 1024**3  # a zip announcing more than this is refused before anything is written
_MANIFEST_ALGORITHMS = ("sha256", "sha512")


class PackageRefused(SohoaError):
    """The package cannot be taken in (damaged, incomplete, not a package); ``path`` names the bad file."""

    code = "package_refused"

    def __init__(self, vi: str, en: str, path: str | None = None) -> None:
        super().__init__(vi, en)
        self.path = path


@dataclass(frozen=True)
class PackageSource:
    """An opened package: ``root`` holds METS.xml; ``kind`` is directory, zip or bagit (a bag may also be
    zipped: ``zip+bagit``); ``bag_info`` the bag's bag-info.txt fields."""

    root: Path
    kind: str
    source: str
    bag_info: dict[str, str] = field(default_factory=dict)


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_relative(name: str) -> PurePosixPath | None:
    """``name`` as a relative path inside the package, None when it would escape it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or any(part in {"..", ""} for part in path.parts) or not path.parts:
        return None
    return path


def _unzip(archive: Path, into: Path) -> None:
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageRefused(f"Tệp {archive.name} không phải tệp zip đọc được: {exc}",
                             f"{archive.name} is not a readable zip file: {exc}", archive.name) from exc
    with handle:
        members = handle.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise PackageRefused(f"Tệp zip {archive.name} quá lớn khi giải nén",
                                 f"The zip {archive.name} is too large once unpacked", archive.name)
        for member in members:
            relative = _safe_relative(member.filename.rstrip("/")) if member.filename.rstrip("/") else None
            mode = member.external_attr >> 16
            if relative is None or stat.S_ISLNK(mode):
                raise PackageRefused(f"Tên tệp không an toàn trong gói: {member.filename}",
                                     f"Unsafe name in the package: {member.filename}", member.filename)
            target = into.joinpath(*relative.parts)
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with handle.open(member) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a CRC error names the damaged member
                raise PackageRefused(f"Tệp {member.filename} trong gói zip bị hỏng: {exc}",
                                     f"{member.filename} in the zip is damaged: {exc}", member.filename) from exc


def _manifest_lines(path: Path, base: Path) -> dict[str, str]:
    """relative path → digest of one BagIt manifest."""
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        relative = _safe_relative(name)
        if relative is None or not digest:
            raise PackageRefused(f"Dòng {number} của {path.name} không hợp lệ",
                                 f"Line {number} of {path.name} is invalid", path.name)
        entries[str(relative)] = digest.lower()
        if not base.joinpath(*relative.parts).is_file():
            raise PackageRefused(f"Thiếu tệp {relative} được liệt kê trong {path.name}",
                                 f"{relative}, listed in {path.name}, is missing", str(relative))
    return entries


def _check_bag(bag: Path) -> dict[str, str]:
    """Check a BagIt bag's payload and tag manifests (every file listed, every digest right); its bag-info."""
    if not (bag / "data").is_dir():
        raise PackageRefused("Túi BagIt thiếu thư mục data/", "The BagIt bag has no data/ folder", "data")
    manifests = [(a, bag / f"manifest-{a}.txt") for a in _MANIFEST_ALGORITHMS if (bag / f"manifest-{a}.txt").is_file()]
    if not manifests:
        raise PackageRefused("Túi BagIt không có manifest-sha256.txt", "The BagIt bag has no manifest-sha256.txt",
                             "manifest-sha256.txt")
    for algorithm, manifest in manifests:
        listed = _manifest_lines(manifest, bag)
        present = {str(p.relative_to(bag)) for p in (bag / "data").rglob("*") if p.is_file()}
        unlisted = sorted(present - set(listed))
        if unlisted:
            raise PackageRefused(f"Tệp {unlisted[0]} không có trong {manifest.name}",
                                 f"{unlisted[0]} is not in {manifest.name}", unlisted[0])
        for name, expected in sorted(listed.items()):
            if _digest(bag / name, algorithm) != expected:
                raise PackageRefused(f"Tệp {name} không khớp mã băm {algorithm} trong {manifest.name} (đã bị "
                                     "thay đổi hoặc hỏng)",
                                     f"{name} does not match its {algorithm} in {manifest.name} (altered or "
                                     "damaged)", name)
    for algorithm in _MANIFEST_ALGORITHMS:
        tags = bag / f"tagmanifest-{algorithm}.txt"
        if tags.is_file():
            for name, expected in sorted(_manifest_lines(tags, bag).items()):
                if _digest(bag / name, algorithm) != expected:
                    raise PackageRefused(f"Tệp thẻ {name} không khớp {tags.name}",
                                         f"The tag file {name} does not match {tags.name}", name)
    info: dict[str, str] = {}
    info_path = bag / "bag-info.txt"
    if info_path.is_file():
        for line in info_path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition(":")
            if sep and not line[:1].isspace():
                info[key.strip()] = value.strip()
    return info


def _package_root(folder: Path, label: str) -> Path:
    """The folder holding METS.xml: ``folder`` itself or its only subfolder (a zip of a package's folder)."""
    if (folder / "METS.xml").is_file():
        return folder
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "METS.xml").is_file():
        return entries[0]
    raise PackageRefused(f"{label} không chứa METS.xml: không phải gói thông tin E-ARK/TT 05/2025",
                         f"{label} holds no METS.xml: not an E-ARK / TT 05/2025 information package", "METS.xml")


def _is_bag(folder: Path) -> Path | None:
    if (folder / "bagit.txt").is_file():
        return folder
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "bagit.txt").is_file():
        return entries[0]
    return None


def _opened(folder: Path, kind: str, source: str) -> PackageSource:
    bag = _is_bag(folder)
    if bag is not None:
        info = _check_bag(bag)
        return PackageSource(_package_root(bag / "data", source), f"{kind}+bagit" if kind == "zip" else "bagit",
                             source, info)
    return PackageSource(_package_root(folder, source), kind, source)


@contextlib.contextmanager
def open_package(path: Path, work_dir: Path) -> Iterator[PackageSource]:
    """Open a package directory, zip or bag (zip of a bag too); a zip is unpacked under ``work_dir`` and
    removed on exit. Raises :class:`PackageRefused` on a damaged or foreign input."""
    if path.is_dir():
        yield _opened(path, "directory", str(path))
        return
    if not path.is_file():
        raise PackageRefused(f"Không tìm thấy gói {path}", f"No package at {path}", str(path))
    unpacked = Path(tempfile.mkdtemp(dir=private_dir(work_dir), prefix="package-"))
    try:
        _unzip(path, unpacked)
        yield _opened(unpacked, "zip", str(path))
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
