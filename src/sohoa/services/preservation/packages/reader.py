"""Read a written package wherever it is: a folder, a .zip (one top folder, or none), or a BagIt bag of either."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol, cast

from sohoa.domain.errors import SohoaError
from sohoa.storage.blobs import BlobRoot

__all__ = ["BlobOpener", "Opener", "PackageReader", "ZipOrDir", "open_package"]


class PackageReader:
    """Files of a package by relative path (forward slashes). ``bag`` is the bag's own root when the package is
    the payload of a BagIt bag (its files are then ``data/…`` of the bag)."""

    def __init__(self, names: dict[str, str], opener: Opener, bag_prefix: str | None, root_prefix: str) -> None:
        self._names = names  # package path → storage name
        self._opener = opener
        self.bag_prefix = bag_prefix  # storage prefix of the bag root ("" or "top/"), None when not a bag
        self.root_prefix = root_prefix

    def names(self) -> list[str]:
        return sorted(self._names)

    def exists(self, path: str) -> bool:
        return path in self._names

    def open(self, path: str) -> BinaryIO:
        return self._opener.open(self._names[path])

    def read(self, path: str) -> bytes:
        with self.open(path) as handle:
            return handle.read()

    def bag_names(self) -> list[str]:
        """Every file of the bag (relative to the bag root) when the package is a bag."""
        if self.bag_prefix is None:
            return []
        return sorted(n[len(self.bag_prefix):] for n in self._opener.names() if n.startswith(self.bag_prefix))

    def open_bag(self, name: str) -> BinaryIO:
        assert self.bag_prefix is not None
        return self._opener.open(self.bag_prefix + name)


class Opener(Protocol):
    """Storage names and bytes of where a package is."""

    def names(self) -> list[str]: ...

    def open(self, name: str) -> BinaryIO: ...

    def close(self) -> None: ...


class BlobOpener:
    """A package written to a blob root (an S3 prefix, a folder through ``LocalBlobRoot``)."""

    def __init__(self, root: BlobRoot) -> None:
        self.root = root

    def names(self) -> list[str]:
        return list(self.root.list(""))

    def open(self, name: str) -> BinaryIO:
        return self.root.open(name)

    def close(self) -> None:
        return None


class ZipOrDir:
    """Storage names of a folder (relative, forward slashes) or of a zip's file entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def names(self) -> list[str]:
        if self.zip is not None:
            return [i.filename for i in self.zip.infolist() if not i.is_dir()]
        found = []
        for folder, _dirs, files in os.walk(self.path):
            for name in files:
                found.append(Path(folder, name).relative_to(self.path).as_posix())
        return found

    def open(self, name: str) -> BinaryIO:
        if self.zip is not None:
            return cast(BinaryIO, self.zip.open(name))
        return (self.path / name).open("rb")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _top(names: list[str], marker: str) -> str | None:
    """The storage prefix under which ``marker`` is: "" at the top, "x/" in one top folder."""
    if marker in names:
        return ""
    tops = {PurePosixPath(n).parts[0] for n in names if "/" in n}
    for top in sorted(tops):
        if f"{top}/{marker}" in names:
            return f"{top}/"
    return None


def _opener(place: Path | BlobRoot) -> Opener:
    if not isinstance(place, Path):
        return BlobOpener(place)
    if not place.exists():
        raise SohoaError(f"Không có gói tin {place}", f"No package at {place}")
    try:
        return ZipOrDir(place)
    except zipfile.BadZipFile as exc:
        raise SohoaError(f"{place} không phải tệp zip hợp lệ: {exc}", f"{place} is not a valid zip: {exc}") from exc


@contextmanager
def open_package(place: Path | BlobRoot) -> Iterator[PackageReader]:
    """The package at ``place``: a folder, a zip, a bag folder or a zipped bag; or a blob root (S3) holding a
    package folder or a bag."""
    path = place
    opener = _opener(place)
    try:
        names = opener.names()
        bag = _top(names, "bagit.txt")
        base = (bag + "data/") if bag is not None else ""
        inner = [n[len(base):] for n in names if n.startswith(base)]
        root = _top(inner, "METS.xml")
        if root is None:
            raise SohoaError(f"{path}: không thấy METS.xml của gói", f"{path}: no package METS.xml found")
        prefix = base + root
        mapping = {n[len(prefix):]: n for n in names if n.startswith(prefix)}
        yield PackageReader(mapping, opener, bag, prefix)
    finally:
        opener.close()
