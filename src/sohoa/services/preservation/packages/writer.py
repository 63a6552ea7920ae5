"""Write a package's members: to any ``BlobRoot`` (local folder, S3), to a new folder, a .zip, or a BagIt bag.

A folder, bag or zip is built under a temporary name beside the target and renamed into place at the end, so
an interrupted export leaves no half package under the target's name (rerun it); an existing target is never
overwritten. Every byte written is hashed on the way and compared with the member's digest: a damaged stored
object stops the export with the path it would have had.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.services.preservation.events import AGENT, VN_TIME
from sohoa.services.preservation.packages.model import PackageMember
from sohoa.storage.blobs import BlobRoot, LocalBlobRoot

__all__ = ["FORMATS", "WrittenPackage", "write_members", "write_package", "write_package_to_root"]

FORMATS = ("dir", "zip", "bagit", "bagit-zip")


@dataclass(frozen=True)
class WrittenPackage:
    """Where a package went and what it is: files and bytes of the package's members, and the SHA-256 of the
    zip (zip formats), of the bag's tagmanifest (bagit) or of the root METS.xml (folder) — ``sha256_of``."""

    path: Path
    fmt: str
    files: int
    bytes: int
    sha256: str
    sha256_of: str
    location: str = ""  # where it is, for people: the folder/zip path, or the s3:// URL of a package on S3


def write_members(root: BlobRoot, members: Sequence[PackageMember], source: Callable[[PackageMember], BinaryIO],
                  *, prefix: str = "") -> None:
    """Write every member under ``prefix`` of ``root``, checking each digest."""
    for member in members:
        with source(member) as stream:
            digest, size = root.write_stream(prefix + member.path, stream)
        if digest != member.sha256 or size != member.size:
            raise SohoaError(f"Dữ liệu của {member.path} không khớp mã băm khi ghi gói (đối tượng hỏng?)",
                             f"The bytes of {member.path} do not match its digest while writing the package "
                             "(a damaged object?)")


def _bag_files(root: BlobRoot, members: Sequence[PackageMember], *, package_id: str, organization: str,
               now: datetime) -> None:
    root.write_bytes("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    manifest = "".join(f"{m.sha256} data/{_encode(m.path)}\n" for m in sorted(members, key=lambda m: m.path))
    root.write_bytes("manifest-sha256.txt", manifest.encode("utf-8"))
    octets = sum(m.size for m in members)
    info = (f"Source-Organization: {organization}\n"
            f"Bagging-Date: {now.astimezone(VN_TIME).date().isoformat()}\n"
            f"Payload-Oxum: {octets}.{len(members)}\n"
            f"External-Identifier: {package_id}\n"
            f"Bag-Software-Agent: {AGENT}\n")
    root.write_bytes("bag-info.txt", info.encode("utf-8"))
    tags = []
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"):
        tags.append(f"{hashlib.sha256(root.read_bytes(name)).hexdigest()} {name}\n")
    root.write_bytes("tagmanifest-sha256.txt", "".join(tags).encode("utf-8"))


def _encode(path: str) -> str:
    """BagIt 1.0 §2.1.3: percent-encode CR, LF and % in manifest paths."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _zip(folder: Path, target: Path, top: str) -> None:
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = f"{top}/{path.relative_to(folder).as_posix()}"
            ext = path.suffix.lower()
            method = zipfile.ZIP_STORED if ext in {".png", ".jpg", ".tif", ".tiff", ".pdf", ".jp2", ".enc"} \
                else zipfile.ZIP_DEFLATED
            archive.write(path, name, compress_type=method)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_package(members: Sequence[PackageMember], source: Callable[[PackageMember], BinaryIO], out: Path, *,
                  fmt: str, package_id: str, organization: str, now: datetime) -> WrittenPackage:
    """Write the package to ``out`` (a new folder, or a new ``.zip`` file for the zip formats)."""
    if fmt not in FORMATS:
        raise SohoaError(f"Định dạng gói không hỗ trợ: {fmt}", f"Unsupported package format: {fmt}")
    if out.exists():
        raise SohoaError(f"{out} đã tồn tại; chọn một đường dẫn mới (gói không ghi đè)",
                         f"{out} already exists; choose a new path (a package never overwrites)")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.parent / f".{out.name}.partial-{secrets.token_hex(6)}"
    try:
        root = LocalBlobRoot(temp)
        bag = fmt.startswith("bagit")
        write_members(root, members, source, prefix="data/" if bag else "")
        if bag:
            _bag_files(root, members, package_id=package_id, organization=organization, now=now)
        if fmt.endswith("zip"):
            zipped = out.parent / f".{out.name}.partial-{secrets.token_hex(6)}.zip"
            _zip(temp, zipped, out.stem if out.suffix.lower() == ".zip" else out.name)
            os.replace(zipped, out)
            digest, of = _sha256(out), "zip"
        else:
            os.replace(temp, out)
            digest, of = (_sha256(out / "tagmanifest-sha256.txt"), "tagmanifest-sha256.txt") if bag else \
                (_sha256(out / "METS.xml"), "METS.xml")
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return WrittenPackage(out, fmt, len(members), sum(m.size for m in members), digest, of, str(out))


def write_package_to_root(members: Sequence[PackageMember], source: Callable[[PackageMember], BinaryIO],
                          root: BlobRoot, location: str, *, fmt: str, package_id: str, organization: str,
                          now: datetime) -> WrittenPackage:
    """Write the package (``dir`` or ``bagit``) into an empty blob root, e.g. an S3 prefix. There is no rename
    there: the root METS.xml is written last (members end with it) and a bag's tagmanifest after it, so a
    package cut short has neither and does not validate; rerun it to a new place."""
    if fmt not in ("dir", "bagit"):
        raise SohoaError("Trên S3 chỉ ghi được thư mục gói hoặc túi BagIt (không zip)",
                         "On S3 a package is written as a folder or a BagIt bag (not a zip)")
    if next(iter(root.list("")), None) is not None:
        raise SohoaError(f"{location} đã có dữ liệu; chọn một chỗ mới (gói không ghi đè)",
                         f"{location} already holds files; choose a new place (a package never overwrites)")
    bag = fmt == "bagit"
    write_members(root, members, source, prefix="data/" if bag else "")
    if bag:
        _bag_files(root, members, package_id=package_id, organization=organization, now=now)
        digest, of = hashlib.sha256(root.read_bytes("tagmanifest-sha256.txt")).hexdigest(), "tagmanifest-sha256.txt"
    else:
        digest, of = members[-1].sha256, "METS.xml"
    return WrittenPackage(Path(), fmt, len(members), sum(m.size for m in members), digest, of, location)
