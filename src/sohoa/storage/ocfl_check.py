"""Our own checks of an OCFL storage root (``sohoa ocfl validate``); the independent one is ocfl-py.

What is checked: the root's declaration, layout and extension config; for each object its declaration,
that it sits where the layout puts its id, the root inventory (required keys, sha256, versions v1…vN
without gaps, head = last), each sidecar, each version's own inventory, that every content file is in
the manifest and every manifest entry exists, every state digest is in the manifest, and (unless
``digests=False``) every content file's sha256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sohoa.domain.ports import CHUNK
from sohoa.storage.blobs import BlobMissing, BlobRoot
from sohoa.storage.ocfl import (
    INVENTORY_TYPE,
    LAYOUT_CONFIG,
    LAYOUT_EXTENSION,
    OBJECT_DECLARATION,
    ROOT_DECLARATION,
    object_path,
)

__all__ = ["OcflProblem", "check_object", "check_root"]

_REQUIRED = ("id", "type", "digestAlgorithm", "head", "manifest", "versions")


@dataclass(frozen=True)
class OcflProblem:
    """One thing wrong: where (a path in the root) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _sha256(blobs: BlobRoot, path: str) -> str:
    digest = hashlib.sha256()
    with blobs.open(path) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read(blobs: BlobRoot, path: str) -> bytes | None:
    try:
        return blobs.read_bytes(path)
    except BlobMissing:
        return None


def check_root(blobs: BlobRoot, *, digests: bool = True) -> Iterator[OcflProblem]:
    """Every problem of the storage root and of every object in it."""
    if _read(blobs, ROOT_DECLARATION) != b"ocfl_1.1\n":
        yield OcflProblem(ROOT_DECLARATION, "missing or wrong root declaration")
    layout = _read(blobs, "ocfl_layout.json")
    if layout is None or json.loads(layout).get("extension") != LAYOUT_EXTENSION:
        yield OcflProblem("ocfl_layout.json", f"missing or not {LAYOUT_EXTENSION}")
    config = _read(blobs, f"extensions/{LAYOUT_EXTENSION}/config.json")
    if config is None or json.loads(config) != LAYOUT_CONFIG:
        yield OcflProblem(f"extensions/{LAYOUT_EXTENSION}/config.json", "missing or unexpected layout config")
    roots = [path[: -len(OBJECT_DECLARATION) - 1] for path in blobs.list("")
             if path.endswith("/" + OBJECT_DECLARATION) and not path.startswith("extensions/")]
    for root in roots:
        yield from check_object(blobs, root, digests=digests)


def check_object(blobs: BlobRoot, root: str, *, digests: bool = True) -> Iterator[OcflProblem]:
    """Every problem of the object whose folder is ``root``."""
    if _read(blobs, f"{root}/{OBJECT_DECLARATION}") != b"ocfl_object_1.1\n":
        yield OcflProblem(root, "missing or wrong object declaration")
    data = _read(blobs, f"{root}/inventory.json")
    if data is None:
        yield OcflProblem(root, "no inventory.json (an interrupted first version?)")
        return
    try:
        inventory = json.loads(data)
    except ValueError as exc:
        yield OcflProblem(f"{root}/inventory.json", f"not JSON: {exc}")
        return
    missing = [key for key in _REQUIRED if key not in inventory]
    if missing:
        yield OcflProblem(f"{root}/inventory.json", f"missing keys {missing}")
        return
    if inventory["type"] != INVENTORY_TYPE or inventory["digestAlgorithm"] != "sha256":
        yield OcflProblem(f"{root}/inventory.json", "type or digestAlgorithm is not OCFL 1.1 / sha256")
    if object_path(inventory["id"]) != root:
        yield OcflProblem(root, f"object {inventory['id']} is not where the layout puts it")
    if _read(blobs, f"{root}/inventory.json.sha256") != f"{hashlib.sha256(data).hexdigest()} inventory.json\n".encode():
        yield OcflProblem(f"{root}/inventory.json.sha256", "sidecar does not match the inventory")
    versions = sorted(inventory["versions"], key=lambda name: int(name[1:]))
    if versions != [f"v{n}" for n in range(1, len(versions) + 1)] or inventory["head"] != versions[-1]:
        yield OcflProblem(f"{root}/inventory.json", f"versions {versions} / head {inventory['head']} are not v1…vN")
    for name in versions:
        own = _read(blobs, f"{root}/{name}/inventory.json")
        sidecar = _read(blobs, f"{root}/{name}/inventory.json.sha256")
        if own is None or sidecar != f"{hashlib.sha256(own).hexdigest()} inventory.json\n".encode():
            yield OcflProblem(f"{root}/{name}", "version inventory missing or its sidecar does not match")
        elif name == inventory["head"] and own != data:
            yield OcflProblem(f"{root}/{name}/inventory.json", "head version inventory differs from the root one")
    yield from _check_content(blobs, root, inventory, digests=digests)


def _check_content(blobs: BlobRoot, root: str, inventory: dict[str, object], *,
                   digests: bool) -> Iterator[OcflProblem]:
    manifest = inventory["manifest"]
    versions = inventory["versions"]
    assert isinstance(manifest, dict) and isinstance(versions, dict)
    listed = {f"{root}/{path}": digest for digest, paths in manifest.items() for path in paths}
    present = {path for path in blobs.list(root) if "/content/" in path[len(root):]}
    for path in sorted(present - set(listed)):
        yield OcflProblem(path, "content file not in the manifest")
    for path, digest in sorted(listed.items()):
        if path not in present:
            yield OcflProblem(path, "manifest names a file that is missing")
        elif digests and _sha256(blobs, path) != digest:
            yield OcflProblem(path, f"content does not hash to {digest}")
    for name, version in versions.items():
        for digest in version.get("state", {}):
            if digest not in manifest:
                yield OcflProblem(f"{root}/inventory.json", f"{name} state names {digest}, not in the manifest")
