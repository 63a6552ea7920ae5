"""What an information package is made of: its kind, its members, the problems a validation finds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["PackageKind", "PackageMember", "Problem", "Scope"]


class PackageKind(StrEnum):
    """The TT 05/2025 package types (Phụ lục I–V)."""

    SIP_HOSO = "SIP_hoso"  # submitted file (Phụ lục III)
    SIP_TAILIEU = "SIP_tailieu"  # submitted single documents (Phụ lục IV)
    AIP_HOSO = "AIP_hoso"  # archived file (Phụ lục I)
    AIP_TAILIEU = "AIP_tailieu"  # archived documents (Phụ lục II)
    DIP = "DIP"  # package delivered to users (Phụ lục V)

    @property
    def oais(self) -> str:
        """The CSIP ``OAISPACKAGETYPE``: SIP, AIP or DIP."""
        return self.value.split("_", 1)[0]

    @property
    def of_file(self) -> bool:
        """Whether the package is one hồ sơ (``_hoso``; a DIP of a file is too when built from one)."""
        return self.value.endswith("_hoso")


@dataclass(frozen=True)
class PackageMember:
    """One file of a package, at ``path`` (forward slashes, relative to the package root).

    Either a stored object (``object_id`` set, ``data`` None: its bytes are the store's ``open_stored(sha256)``,
    the envelope for an encrypted object) or bytes generated here (``data`` set: XML, JSON, schemas).
    ``sha256``/``size`` are those of the bytes the package holds; ``use``: the METS ``file/@USE`` (e.g. an
    envelope's key record), None for an ordinary file."""

    path: str
    sha256: str
    size: int
    object_id: int | None
    data: bytes | None
    media_type: str
    use: str | None = None

    @classmethod
    def generated(cls, path: str, data: bytes, media_type: str, *, use: str | None = None) -> PackageMember:
        return cls(path, hashlib.sha256(data).hexdigest(), len(data), None, data, media_type, use)


@dataclass(frozen=True)
class Scope:
    """What a package holds: one hồ sơ (``file_id``) or a set of documents."""

    file_id: int | None = None
    document_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package: the file it is about and what (vi, en)."""

    path: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message_en}"
