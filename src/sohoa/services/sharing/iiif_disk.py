"""Encoded IIIF image answers kept on disk (``<data>/cache/iiif``), shared by every process of the server.

An answer is named by its strong ETag, which is derived from the master's SHA-256, the page's index in it,
its size and the canonical request: a name never changes meaning, so a file is never stale and is never
rewritten in place. A new file is written under a temporary name and renamed into place (atomic on POSIX),
so a concurrent reader in another process sees the whole file or none. The folder is bounded: after
about a tenth of the bound has been written, the least recently used files are removed until it holds
80 % of it. The access policy is asked before the cache, on every request, as before rendering.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["TileStore"]

_TMP = ".tmp-"
_STALE_TMP_SECONDS = 3600  # a temporary file this old was left by a process that died while writing


class TileStore:
    """A bounded folder of encoded answers, keyed by ETag digest and format."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._written = 0
        self._lock = threading.Lock()

    def _path(self, digest: str, fmt: str) -> Path:
        return self.root / digest[:2] / f"{digest}.{fmt}"

    def get(self, digest: str, fmt: str) -> bytes | None:
        path = self._path(digest, fmt)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):  # trimmed by another process meanwhile: the bytes read are whole
            os.utime(path)  # recently used: trimmed last
        return data

    def put(self, digest: str, fmt: str, data: bytes) -> None:
        path = self._path(digest, fmt)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except OSError:
            return  # a full or read-only disk costs speed, never an answer
        with self._lock:
            self._written += len(data)
            due = self._written > self.max_bytes // 10
            if due:
                self._written = 0
        if due:
            self.trim()

    def trim(self) -> None:
        """Remove the least recently used files until the folder holds 80 % of its bound."""
        files: list[tuple[float, int, Path]] = []
        now = time.time()
        for path in self.root.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.name.startswith(_TMP):
                if now - stat.st_mtime > _STALE_TMP_SECONDS:
                    path.unlink(missing_ok=True)
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(files):
            if total <= self.max_bytes * 0.8:
                break
            path.unlink(missing_ok=True)
            total -= size

    def size(self) -> int:
        """Bytes held now (tests, diagnostics)."""
        return sum(p.stat().st_size for p in self.root.glob("*/*") if not p.name.startswith(_TMP))
