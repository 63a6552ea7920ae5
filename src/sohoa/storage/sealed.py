"""Encrypted objects on a local store: sealing a plain object into an envelope, reading and checking it.

Beside each envelope ``<digest>`` the store keeps its key record ``<digest>.key`` (UTF-8 JSON, 0400)::

    {"format": "sohoa-envelope-key", "version": 1, "plaintext_sha256": …, "stored_sha256": …,
     "stored_size": …, "key_id": …, "key_wrap": "AES-256-KW (RFC 3394)", "wrapped_key": hex}

It names the digest of the envelope's bytes (so fixity is checked without any key) and the data key wrapped by
the KEK in use now. A KEK rotation rewrites only this record; the envelope itself is write-once and keeps the
wrap made at sealing time in its header (still valid while that KEK exists). The record wins over the header.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, sha256_file
from sohoa.storage.envelope import (
    KEY_WRAP,
    MAGIC,
    EnvelopeHeader,
    Wrap,
    decrypting_stream,
    encrypt_stream,
    is_envelope,
    read_header,
)
from sohoa.storage.keyring import KeyRing

__all__ = ["KeyRecord", "SealResult", "SealingStore", "check_envelope", "check_envelope_plaintext", "current_record",
           "file_is_envelope", "object_size", "open_object", "read_key_record", "record_path", "rewrap", "seal",
           "write_key_record"]


@dataclass(frozen=True)
class KeyRecord:
    """An envelope's digest and size as stored, and its data key wrapped by the KEK in use now."""

    plaintext_sha256: str
    stored_sha256: str
    stored_size: int
    wrap: Wrap

    def encode(self) -> bytes:
        fields = {"format": "sohoa-envelope-key", "version": 1, "plaintext_sha256": self.plaintext_sha256,
                  "stored_sha256": self.stored_sha256, "stored_size": self.stored_size,
                  "key_id": self.wrap.key_id, "key_wrap": KEY_WRAP, "wrapped_key": self.wrap.wrapped_key.hex()}
        return json.dumps(fields, sort_keys=True, indent=1).encode("utf-8") + b"\n"

    @classmethod
    def decode(cls, data: bytes) -> KeyRecord:
        try:
            fields = json.loads(data.decode("utf-8"))
            return cls(str(fields["plaintext_sha256"]), str(fields["stored_sha256"]), int(fields["stored_size"]),
                       Wrap(str(fields["key_id"]), bytes.fromhex(fields["wrapped_key"])))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise SohoaError("Bản ghi khóa của đối tượng bị hỏng", f"An object's key record is damaged: {exc}") from exc


@dataclass(frozen=True)
class SealResult:
    """What sealing an object produced."""

    stored_sha256: str
    stored_size: int
    key_id: str
    created: bool  # False when the object already was an envelope
    plain_links: int = 0  # other names of the plain file (hard links, e.g. an OCFL root) that still hold it


@runtime_checkable
class SealingStore(Protocol):
    """An object store that can keep objects as envelopes (the local store; the S3 store): what the encryption
    service needs beyond the port."""

    keyring: KeyRing | None

    def exists(self, sha256: str) -> bool: ...
    def is_encrypted(self, sha256: str) -> bool: ...
    def open_stored(self, sha256: str) -> BinaryIO: ...
    def encrypt_object(self, sha256: str) -> SealResult: ...
    def rewrap_object(self, sha256: str) -> KeyRecord: ...
    def key_record(self, sha256: str) -> bytes | None: ...
    def put_key_record(self, sha256: str, data: bytes) -> None: ...
    def adopt_envelope(self, sha256: str, stream: BinaryIO, key_record: bytes) -> bool: ...


def record_path(path: Path) -> Path:
    return path.with_name(path.name + ".key")


def file_is_envelope(path: Path) -> bool:
    with path.open("rb") as handle:
        return is_envelope(handle.read(32))


def read_key_record(path: Path) -> KeyRecord | None:
    record = record_path(path)
    return KeyRecord.decode(record.read_bytes()) if record.is_file() else None


def write_key_record(path: Path, record: KeyRecord, tmp_dir: Path, keyring: KeyRing | None = None) -> None:
    """Write (or atomically replace) the key record beside the envelope at ``path``, and its copy in the keys
    folder when a key ring is given."""
    if keyring is not None:
        keyring.keep_record(record.plaintext_sha256, record.encode())
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="key-")
    with os.fdopen(fd, "wb") as out:
        out.write(record.encode())
        out.flush()
        os.fsync(out.fileno())
    os.chmod(name, 0o400)
    os.replace(name, record_path(path))


def current_record(path: Path, sha256: str, keyring: KeyRing | None) -> KeyRecord | None:
    """The key record beside the envelope, else its copy in the keys folder, else None."""
    record = read_key_record(path)
    if record is None and keyring is not None:
        kept = keyring.stored_record(sha256)
        record = KeyRecord.decode(kept) if kept is not None else None
    return record


def _wrap_now(path: Path, header: EnvelopeHeader, keyring: KeyRing | None) -> Wrap:
    record = current_record(path, header.plaintext_sha256, keyring)
    return record.wrap if record is not None else header.wrap


def object_size(path: Path) -> int:
    """The object's length: the plaintext's for an envelope."""
    with path.open("rb") as handle:
        if is_envelope(handle.read(len(MAGIC))):
            return read_header(handle).plaintext_size
        return os.fstat(handle.fileno()).st_size


def open_object(path: Path, keyring: KeyRing | None) -> BinaryIO:
    """The object at ``path`` as a stream: decrypting for an envelope, the file itself otherwise (the file is
    opened once, so an object sealed meanwhile is never read as plain)."""
    handle = path.open("rb")
    try:
        if not is_envelope(handle.read(len(MAGIC))):
            handle.seek(0)
            return handle
        header = read_header(handle)
        if keyring is None:
            raise SohoaError("Đối tượng được mã hóa nhưng chưa cấu hình thư mục khóa (SOHOA_KEYS_DIR)",
                             "The object is encrypted but no keys folder is configured (SOHOA_KEYS_DIR)")
        data_key = keyring.unwrap(_wrap_now(path, header, keyring))
    except BaseException:
        handle.close()
        raise
    return decrypting_stream(handle, header, data_key)


def _plaintext_digest(path: Path, header: EnvelopeHeader, wrap: Wrap, keyring: KeyRing) -> str:
    digest = hashlib.sha256()
    with decrypting_stream(path.open("rb"), header, keyring.unwrap(wrap)) as plain:
        while chunk := plain.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_envelope(path: Path, sha256: str, keyring: KeyRing | None) -> bool:
    """Fixity of an envelope: decrypted and re-hashed when its KEK is at hand, else its stored digest checked
    against its key record (the plaintext cannot be checked without the key)."""
    try:
        with path.open("rb") as handle:
            header = read_header(handle)
        if header.plaintext_sha256 != sha256 or header.stored_size != path.stat().st_size:
            return False
        record = current_record(path, sha256, keyring)
        wrap = record.wrap if record is not None else header.wrap
        if keyring is not None and keyring.has(wrap.key_id):
            return _plaintext_digest(path, header, wrap, keyring) == sha256
        return record is not None and sha256_file(path) == record.stored_sha256
    except (SohoaError, OSError):
        return False


def check_envelope_plaintext(path: Path, sha256: str, keyring: KeyRing | None) -> bool:
    """Whether the envelope at ``path`` (no key record beside it) decrypts to ``sha256`` with its header's KEK."""
    try:
        with path.open("rb") as handle:
            header = read_header(handle)
        if keyring is None or header.plaintext_sha256 != sha256 or not keyring.has(header.wrap.key_id):
            return False
        return _plaintext_digest(path, header, header.wrap, keyring) == sha256
    except (SohoaError, OSError):
        return False


@contextmanager
def _sealing_lock(tmp_dir: Path) -> Iterator[None]:
    """One sealing or re-wrapping at a time in a store (processes included): an envelope and its key record are
    always written by the same hand."""
    fd = os.open(tmp_dir / "sealing.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def seal(path: Path, sha256: str, keyring: KeyRing, tmp_dir: Path) -> SealResult:
    """Turn the plain object at ``path`` into an envelope in place: written to a temporary file, decrypted and
    checked, fsynced, key record written, then renamed over the plain file (no plaintext copy stays behind)."""
    with _sealing_lock(tmp_dir):
        return _seal(path, sha256, keyring, tmp_dir)


def _seal(path: Path, sha256: str, keyring: KeyRing, tmp_dir: Path) -> SealResult:
    if file_is_envelope(path):
        record = read_key_record(path)
        with path.open("rb") as handle:
            header = read_header(handle)
        stored = record.stored_sha256 if record is not None else sha256_file(path)
        return SealResult(stored, path.stat().st_size, (record.wrap if record else header.wrap).key_id, False)
    size, links = path.stat().st_size, path.stat().st_nlink - 1
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="seal-")
    tmp = Path(name)
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            header = encrypt_stream(src, dst, plaintext_sha256=sha256, plaintext_size=size, wrap=keyring.wrap)
            dst.flush()
            os.fsync(dst.fileno())
        stored_sha256 = sha256_file(tmp)
        if _plaintext_digest(tmp, header, header.wrap, keyring) != sha256:
            raise SohoaError("Bản mã hóa không giải mã lại đúng: giữ nguyên bản rõ",
                             "The envelope did not decrypt back to the object: the plain copy is kept")
        stored_size = tmp.stat().st_size
        write_key_record(path, KeyRecord(sha256, stored_sha256, stored_size, header.wrap), tmp_dir, keyring)
        os.chmod(tmp, 0o400)
        os.replace(tmp, path)  # atomic: the plain file's last name goes with it
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return SealResult(stored_sha256, stored_size, header.wrap.key_id, True, links)


def rewrap(path: Path, keyring: KeyRing, tmp_dir: Path) -> KeyRecord:
    """Re-wrap the envelope's data key under the current KEK: only the key record is rewritten."""
    with _sealing_lock(tmp_dir):
        return _rewrap(path, keyring, tmp_dir)


def _rewrap(path: Path, keyring: KeyRing, tmp_dir: Path) -> KeyRecord:
    with path.open("rb") as handle:
        header = read_header(handle)
    record = current_record(path, header.plaintext_sha256, keyring)
    wrap = record.wrap if record is not None else header.wrap
    current = keyring.current_id()
    if record is not None and wrap.key_id == current:
        if keyring.stored_record(record.plaintext_sha256) is None:
            keyring.keep_record(record.plaintext_sha256, record.encode())
        return record
    data_key = keyring.unwrap(wrap)
    stored_sha256 = record.stored_sha256 if record is not None else sha256_file(path)
    new = KeyRecord(header.plaintext_sha256, stored_sha256, path.stat().st_size, keyring.wrap(data_key))
    write_key_record(path, new, tmp_dir, keyring)
    return new
