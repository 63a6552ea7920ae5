"""An OCFL 1.1 storage root of our own, over a :class:`~sohoa.storage.blobs.BlobRoot` (a folder or a bucket).

OCFL (https://ocfl.io/1.1/spec/) keeps each object as plain files any later software can read without
Sohoa: ``0=ocfl_object_1.1``, ``inventory.json`` (+ ``.sha256`` sidecar) and one folder per version,
``v1/content/…``, ``v2/content/…``. Content once written is never touched again: a new version only
adds files, and a file already in the object (same sha256) is not stored twice.

The storage root uses the community extension ``0003-hash-and-id-n-tuple-storage-layout`` (sha256 of
the object id in three 3-character tuples, then the id itself, percent-encoded): the folder of
``urn:sohoa:hoso:H01`` still names its hồ sơ to a person who opens the disk.

Writing a version is atomic as seen by a reader: content first, then the version's inventory, then
the object's root inventory and its sidecar last. A write that crashed half-way leaves files no
inventory names; the next write of that object removes them first (:meth:`OcflStorageRoot.clean`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sohoa.domain.errors import NotFound, SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.storage.blobs import BlobMissing, BlobRoot, check_blob_path

__all__ = [
    "INVENTORY_TYPE",
    "LAYOUT_EXTENSION",
    "OcflSource",
    "OcflStorageRoot",
    "OcflUser",
    "from_bytes",
    "from_store",
    "object_path",
]

ROOT_DECLARATION = "0=ocfl_1.1"
OBJECT_DECLARATION = "0=ocfl_object_1.1"
INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
LAYOUT_EXTENSION = "0003-hash-and-id-n-tuple-storage-layout"
LAYOUT_DESCRIPTION = ("Hashed Truncated N-tuple Trees with Object ID Encapsulating Directory "
                      "for OCFL Storage Hierarchies")
LAYOUT_CONFIG = {"extensionName": LAYOUT_EXTENSION, "digestAlgorithm": "sha256", "tupleSize": 3,
                 "numberOfTuples": 3}
_VERSION = re.compile(r"v([1-9][0-9]*)")
_SAFE_ID_CHAR = re.compile(r"[A-Za-z0-9_-]")


def object_path(object_id: str) -> str:
    """Where an object lives in the storage root, per extension 0003 (sha256, 3 tuples of 3, encoded id)."""
    digest = hashlib.sha256(object_id.encode("utf-8")).hexdigest()
    encoded = "".join(ch if _SAFE_ID_CHAR.fullmatch(ch) else "".join(f"%{b:02x}" for b in ch.encode("utf-8"))
                      for ch in object_id)
    if len(encoded) > 100:
        encoded = f"{encoded[:100]}-{digest}"
    return f"{digest[0:3]}/{digest[3:6]}/{digest[6:9]}/{encoded}"


@dataclass(frozen=True)
class OcflUser:
    """Who made a version: a name and a URI (``mailto:`` or ``urn:``)."""

    name: str
    address: str


@dataclass(frozen=True)
class OcflSource:
    """One logical file of a version to write: its path in the object, the sha256 of the bytes to keep when
    known beforehand (then a digest already in the object is not written again), and how to write them
    (``write(blobs, path) -> (sha256, size)``)."""

    logical_path: str
    digest: str | None
    write: Callable[[BlobRoot, str], tuple[str, int]]


def from_bytes(logical_path: str, data: bytes) -> OcflSource:
    """A logical file made of these bytes (generated metadata)."""
    return OcflSource(logical_path, hashlib.sha256(data).hexdigest(),
                      lambda blobs, path: blobs.write_stream(path, io.BytesIO(data)))


def from_store(logical_path: str, store: ObjectStore, sha256: str) -> OcflSource:
    """A logical file that is an object of the store, as kept (the envelope of an encrypted one)."""
    known = None if store.is_encrypted(sha256) else sha256
    return OcflSource(logical_path, known, lambda blobs, path: blobs.link_or_copy_from(store, sha256, path))


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _sidecar(data: bytes) -> bytes:
    return f"{hashlib.sha256(data).hexdigest()} inventory.json\n".encode("ascii")


def version_number(name: str) -> int:
    """``v3`` → 3 (ValueError for anything else)."""
    match = _VERSION.fullmatch(name)
    if not match:
        raise ValueError(name)
    return int(match.group(1))


class OcflStorageRoot:
    """Read and write OCFL objects under one storage root."""

    def __init__(self, blobs: BlobRoot) -> None:
        self.blobs = blobs

    # ------------------------------------------------------------ root
    def initialize(self) -> None:
        """Write the root declaration, layout and extension config (once; an existing root is kept)."""
        if self.blobs.exists(ROOT_DECLARATION):
            return
        self.blobs.write_bytes(f"extensions/{LAYOUT_EXTENSION}/config.json", _dump(LAYOUT_CONFIG))
        self.blobs.write_bytes("ocfl_layout.json", _dump({"extension": LAYOUT_EXTENSION,
                                                          "description": LAYOUT_DESCRIPTION}))
        self.blobs.write_bytes(ROOT_DECLARATION, b"ocfl_1.1\n")

    def is_initialized(self) -> bool:
        return self.blobs.exists(ROOT_DECLARATION)

    def object_roots(self) -> Iterator[str]:
        """The folder of every object (one with an object declaration), sorted."""
        suffix = "/" + OBJECT_DECLARATION
        for path in self.blobs.list(""):
            if path.endswith(suffix) and not path.startswith("extensions/"):
                yield path[: -len(suffix)]

    def object_ids(self) -> Iterator[str]:
        """The id of every object that has an inventory."""
        for root in self.object_roots():
            inventory = self._read_json(f"{root}/inventory.json")
            if inventory is not None:
                yield str(inventory["id"])

    # ------------------------------------------------------------ reading
    def _read_json(self, path: str) -> dict[str, Any] | None:
        try:
            data = self.blobs.read_bytes(path)
        except BlobMissing:
            return None
        document = json.loads(data)
        if not isinstance(document, dict):
            raise SohoaError(f"Tệp {path} không phải đối tượng JSON", f"{path} is not a JSON object")
        return document

    def inventory(self, object_id: str) -> dict[str, Any] | None:
        """The object's root inventory, or None when the object has no complete version yet."""
        return self._read_json(f"{object_path(object_id)}/inventory.json")

    def head_state(self, object_id: str, version: str | None = None) -> dict[str, str]:
        """Logical path → sha256 of a version (the head by default); empty for an absent object."""
        inventory = self.inventory(object_id)
        if inventory is None:
            return {}
        state = inventory["versions"][version or inventory["head"]]["state"]
        return {path: digest for digest, paths in state.items() for path in paths}

    def open_file(self, object_id: str, logical_path: str, version: str | None = None) -> BinaryIO:
        """A stream over one logical file of a version (the head by default)."""
        inventory = self.inventory(object_id)
        digest = self.head_state(object_id, version).get(logical_path) if inventory else None
        if inventory is None or digest is None:
            raise NotFound(f"Đối tượng OCFL {object_id} không có tệp {logical_path}",
                           f"OCFL object {object_id} has no file {logical_path}")
        return self.blobs.open(f"{object_path(object_id)}/{inventory['manifest'][digest][0]}")

    # ------------------------------------------------------------ writing
    def clean(self, object_id: str) -> list[str]:
        """Remove what a crashed write left in an object (files no inventory names); the paths removed.

        A root inventory whose sidecar was not yet rewritten gets its sidecar back when the head version's
        own inventory is the same document.
        """
        root = object_path(object_id)
        clean_temp = getattr(self.blobs, "clean_temp", None)  # a local root: temporary files of a killed write
        temporary: list[str] = list(clean_temp(root)) if clean_temp is not None else []
        files = list(self.blobs.list(root))
        inventory = self.inventory(object_id)
        if inventory is None:
            for path in files:
                self.blobs.delete(path)
            return temporary + files
        head = version_number(inventory["head"])
        data = self.blobs.read_bytes(f"{root}/inventory.json")
        if self._sidecar_bad(f"{root}/inventory.json.sha256", data):
            if self.blobs.read_bytes(f"{root}/v{head}/inventory.json") != data:
                raise SohoaError(f"Kho kê của đối tượng OCFL {object_id} hỏng", f"OCFL object {object_id}: "
                                 "the root inventory matches neither its sidecar nor its head version")
            self.blobs.write_bytes(f"{root}/inventory.json.sha256", _sidecar(data))
        removed = temporary
        for path in files:
            first = path[len(root) + 1:].split("/", 1)[0]
            if _VERSION.fullmatch(first) and version_number(first) > head:
                self.blobs.delete(path)
                removed.append(path)
        return removed

    def _sidecar_bad(self, path: str, data: bytes) -> bool:
        try:
            return self.blobs.read_bytes(path) != _sidecar(data)
        except BlobMissing:
            return True

    def write_version(self, object_id: str, sources: Sequence[OcflSource], *, message: str, user: OcflUser,
                      created: str, after_content: Callable[[], None] | None = None) -> str | None:
        """Write a new version whose state is exactly ``sources``; its name, or None when the head already has
        that state (nothing is left written). ``created`` is an ISO 8601 time with its offset.
        ``after_content`` runs once the content is written, before any inventory (tests simulate a crash there)."""
        self.initialize()
        self.clean(object_id)
        root = object_path(object_id)
        previous = self.inventory(object_id)
        number = version_number(previous["head"]) + 1 if previous else 1
        name = f"v{number}"
        manifest: dict[str, list[str]] = {d: list(p) for d, p in (previous or {}).get("manifest", {}).items()}
        state: dict[str, list[str]] = {}
        written: list[str] = []
        if previous is None:
            self.blobs.write_bytes(f"{root}/{OBJECT_DECLARATION}", b"ocfl_object_1.1\n")
        for source in sorted(sources, key=lambda s: s.logical_path):
            logical = check_blob_path(source.logical_path)
            digest = source.digest
            if digest is None or digest not in manifest:
                content = f"{name}/content/{logical}"
                digest_written, _size = source.write(self.blobs, f"{root}/{content}")
                if digest is not None and digest_written != digest:
                    raise SohoaError(f"Mã băm của {logical} không khớp", f"Digest of {logical} does not match")
                if digest_written in manifest:  # known only now (an envelope): keep the copy already there
                    self.blobs.delete(f"{root}/{content}")
                else:
                    manifest[digest_written] = [content]
                    written.append(content)
                digest = digest_written
            state.setdefault(digest, []).append(logical)
        if previous is not None and self.head_state(object_id) == {p: d for d, ps in state.items() for p in ps}:
            for content in written:
                self.blobs.delete(f"{root}/{content}")
            return None
        if after_content is not None:
            after_content()
        inventory = {
            "id": object_id, "type": INVENTORY_TYPE, "digestAlgorithm": "sha256", "head": name,
            "contentDirectory": "content", "manifest": manifest,
            "versions": {**(previous or {}).get("versions", {}),
                         name: {"created": created, "message": message, "state": state,
                                "user": {"name": user.name, "address": user.address}}},
        }
        data = _dump(inventory)
        self.blobs.write_bytes(f"{root}/{name}/inventory.json", data)
        self.blobs.write_bytes(f"{root}/{name}/inventory.json.sha256", _sidecar(data))
        self.blobs.write_bytes(f"{root}/inventory.json", data)
        self.blobs.write_bytes(f"{root}/inventory.json.sha256", _sidecar(data))
        return name
