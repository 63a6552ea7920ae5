"""The key ring of encryption at rest: key-encryption keys (KEKs) in a folder kept outside the data directory.

Layout of the keys folder (0700, files 0400)::

    <key id>.kek     "sohoa-kek/1\\n" then the 256-bit AES key as 64 hex digits and a newline
    current          the id of the KEK that wraps new data keys
    records/ab/<digest>.key
                     a copy of each encrypted object's key record (its data key wrapped by the current KEK,
                     the digest of its envelope): backing up this folder backs up everything needed to open the
                     envelopes, whatever copy of them survives (a restore, a replica)

A KEK only ever wraps data keys (AES key wrap, RFC 3394); it never touches an object's bytes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from sohoa.domain.errors import SohoaError
from sohoa.storage.envelope import Wrap
from sohoa.storage.private import create_private_file, private_dir

__all__ = ["KeyMissing", "KeyRing", "check_keys_dir"]

_KEK_MAGIC = "sohoa-kek/1"
_ID = re.compile(r"kek-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}")


class KeyMissing(SohoaError):
    """The KEK an encrypted object needs is not in the keys folder (or there is no keys folder)."""

    def __init__(self, key_id: str | None, directory: Path) -> None:
        name = key_id or "(current)"
        super().__init__(
            f"Thiếu khóa mã hóa {name} trong {directory}: khôi phục thư mục khóa từ bản sao lưu khóa "
            "(dữ liệu không bị mất, chỉ chưa đọc được)",
            f"Encryption key {name} is missing from {directory}: restore the keys folder from its backup "
            "(no data is lost, it only cannot be read yet)")


def check_keys_dir(keys_dir: Path, data_dir: Path) -> Path:
    """``keys_dir`` when it lies outside the data directory, else a bilingual error (a key kept beside the
    data it protects protects nothing, and would travel in every copy of the data)."""
    keys, data = keys_dir.resolve(), data_dir.resolve()
    if keys == data or keys.is_relative_to(data):
        raise SohoaError(
            f"Thư mục khóa {keys} nằm trong thư mục dữ liệu {data}: đặt SOHOA_KEYS_DIR ra ngoài",
            f"The keys folder {keys} is inside the data directory {data}: set SOHOA_KEYS_DIR outside it")
    return keys_dir


class KeyRing:
    """KEK files in one folder; read on demand (a missing folder is only an error once a key is needed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, bytes] = {}

    def ids(self) -> list[str]:
        """Every KEK present, oldest first (ids sort by creation time)."""
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("kek-*.kek") if _ID.fullmatch(p.stem))

    def current_id(self) -> str | None:
        """The KEK that wraps new data keys, None before `sohoa keys init`."""
        path = self.directory / "current"
        if not path.is_file():
            return None
        key_id = path.read_text(encoding="ascii").strip()
        return key_id if _ID.fullmatch(key_id) else None

    def has(self, key_id: str) -> bool:
        return _ID.fullmatch(key_id) is not None and (self.directory / f"{key_id}.kek").is_file()

    def kek(self, key_id: str) -> bytes:
        if key_id in self._cache:
            return self._cache[key_id]
        if not self.has(key_id):
            raise KeyMissing(key_id, self.directory)
        lines = (self.directory / f"{key_id}.kek").read_text(encoding="ascii").split()
        if len(lines) != 2 or lines[0] != _KEK_MAGIC or len(lines[1]) != 64:
            raise SohoaError(f"Tệp khóa {key_id} bị hỏng", f"Key file {key_id} is damaged")
        key = bytes.fromhex(lines[1])
        self._cache[key_id] = key
        return key

    def wrap(self, data_key: bytes, key_id: str | None = None) -> Wrap:
        """The data key wrapped by ``key_id`` (by default the current KEK)."""
        chosen = key_id or self.current_id()
        if chosen is None:
            raise KeyMissing(None, self.directory)
        return Wrap(chosen, aes_key_wrap(self.kek(chosen), data_key))

    def unwrap(self, wrap: Wrap) -> bytes:
        try:
            return aes_key_unwrap(self.kek(wrap.key_id), wrap.wrapped_key)
        except InvalidUnwrap as exc:
            raise SohoaError(f"Khóa dữ liệu không mở được bằng {wrap.key_id} (hỏng hoặc sai khóa)",
                             f"The data key does not unwrap with {wrap.key_id} (damaged or wrong key)") from exc

    def create(self, now: datetime | None = None) -> str:
        """A new random KEK, made current; returns its id."""
        private_dir(self.directory)
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        key_id = f"kek-{stamp}-{secrets.token_hex(3)}"
        key = secrets.token_bytes(32)
        if not create_private_file(self.directory / f"{key_id}.kek", f"{_KEK_MAGIC}\n{key.hex()}\n".encode()):
            raise SohoaError(f"Khóa {key_id} đã có", f"Key {key_id} already exists")
        os.chmod(self.directory / f"{key_id}.kek", 0o400)
        self._set_current(key_id)
        return key_id

    def _set_current(self, key_id: str) -> None:
        tmp = self.directory / f".current-{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key_id + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.directory / "current")

    def _record_path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise SohoaError("Mã băm không hợp lệ", f"Invalid digest: {sha256!r}")
        return self.directory / "records" / sha256[:2] / f"{sha256}.key"

    def stored_record(self, sha256: str) -> bytes | None:
        """The copy of an object's key record kept with the keys, None when there is none."""
        path = self._record_path(sha256)
        return path.read_bytes() if path.is_file() else None

    def keep_record(self, sha256: str, data: bytes) -> None:
        """Keep (or atomically replace) the copy of an object's key record in the keys folder."""
        path = self._record_path(sha256)
        private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def records_using(self, key_id: str) -> list[str]:
        """Digests of the objects whose key record (the keys folder's copy) names ``key_id``."""
        found = []
        for path in sorted((self.directory / "records").glob("*/*.key")):
            try:
                if json.loads(path.read_text(encoding="utf-8")).get("key_id") == key_id:
                    found.append(path.stem)
            except (OSError, ValueError):
                found.append(path.stem)  # unreadable: counted as in use, never a reason to drop a key
        return found

    def remove(self, key_id: str) -> None:
        """Delete a KEK file (the caller has checked nothing uses it); the current KEK is never removed."""
        if key_id == self.current_id():
            raise SohoaError(f"Không thể hủy khóa hiện hành {key_id}", f"The current key {key_id} cannot be retired")
        if not self.has(key_id):
            raise KeyMissing(key_id, self.directory)
        path = self.directory / f"{key_id}.kek"
        os.chmod(path, 0o600)
        with path.open("r+b") as handle:  # overwrite before unlinking: a best effort on a plain filesystem
            handle.write(b"\0" * path.stat().st_size)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        self._cache.pop(key_id, None)
