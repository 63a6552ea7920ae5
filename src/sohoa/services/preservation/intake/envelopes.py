"""Which wrap opens an encrypted object a package carries: its key record ``<path>.key`` (the wrap by the KEK the
exporting archive used last, see :mod:`sohoa.services.preservation.packages.key_records`), else the wrap in the
envelope's own header (packages written before key records travelled, or an envelope never re-wrapped).

A key record is used only when it belongs to the envelope beside it (the object's digest, the envelope's
SHA-256 and size as stored) and the envelope, opened with it and a KEK at hand, decrypts to the object. When
the record's KEK is missing here but the header's is present, the header opens it and the record is not kept
(it would name a key this archive lacks, and a record wins over the header when the object is read).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, sha256_file
from sohoa.services.preservation.intake.source import PackageRefused
from sohoa.services.preservation.packages.key_records import KEY_RECORD_SUFFIX
from sohoa.storage.envelope import Wrap, decrypting_stream, read_header
from sohoa.storage.keyring import KeyRing
from sohoa.storage.sealed import KeyRecord, check_envelope_plaintext

__all__ = ["Opening", "how_it_opens", "package_key_record"]


@dataclass(frozen=True)
class Opening:
    """How an envelope of a package opens here: with its key record (kept with the object) or its header."""

    record: KeyRecord | None  # None: the header's wrap opens it

    @property
    def key_id(self) -> str | None:
        return self.record.wrap.key_id if self.record is not None else None


def package_key_record(root: Path, path: str, sha256: str) -> KeyRecord | None:
    """The key record the package carries beside the envelope at ``path``, checked to belong to it; None when
    the package carries none. A record that is damaged or names another envelope refuses the package."""
    key_file = root / (path + KEY_RECORD_SUFFIX)
    if not key_file.is_file():
        return None
    label = path + KEY_RECORD_SUFFIX
    try:
        record = KeyRecord.decode(key_file.read_bytes())
    except SohoaError as exc:
        raise PackageRefused(f"Bản ghi khóa {label} bị hỏng: {exc.vi}", f"The key record {label} is damaged: "
                             f"{exc.en}", label) from exc
    envelope = root / path
    if (record.plaintext_sha256 != sha256 or record.stored_size != envelope.stat().st_size
            or record.stored_sha256 != sha256_file(envelope)):
        raise PackageRefused(f"Bản ghi khóa {label} không thuộc phong bì {path} (mã băm hoặc kích thước khác)",
                             f"The key record {label} does not belong to the envelope {path} (digest or size "
                             "differs)", label)
    return record


def _decrypts(envelope: Path, sha256: str, wrap: Wrap, keyring: KeyRing) -> bool:
    """Whether the envelope, its data key unwrapped from ``wrap``, decrypts (every chunk authenticated) to
    ``sha256``."""
    try:
        with envelope.open("rb") as handle:
            header = read_header(handle)
        if header.plaintext_sha256 != sha256 or not keyring.has(wrap.key_id):
            return False
        digest = hashlib.sha256()
        with decrypting_stream(envelope.open("rb"), header, keyring.unwrap(wrap)) as plain:
            while chunk := plain.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256
    except (SohoaError, OSError):
        return False


def how_it_opens(root: Path, path: str, sha256: str, keyring: KeyRing) -> Opening | None:
    """How the envelope at ``path`` in the package opens with the keys at hand (see the module docstring), None
    when it does not."""
    record = package_key_record(root, path, sha256)
    if record is not None and _decrypts(root / path, sha256, record.wrap, keyring):
        return Opening(record)
    if check_envelope_plaintext(root / path, sha256, keyring):
        return Opening(None)
    return None
