"""An encrypted object's key record in a package: ``<member path>.key`` beside its envelope ``<…>.enc``.

The envelope's header keeps the data key wrapped by the KEK that sealed it; after a key rotation only the key
record (:mod:`sohoa.storage.sealed`) holds the wrap by the KEK in use now, and the sealing KEK may be retired. A
package that carried the envelope alone could then only be opened by an archive that still holds that retired
key. So the package carries the record too, and intake (:mod:`sohoa.services.preservation.intake.envelopes`)
opens the envelope with whichever wrap its keys allow.

A key record holds only the data key *wrapped* (AES key wrap, RFC 3394) by a KEK, the KEK's id and the digests
and size of the envelope: never a KEK and never a plaintext data key. It is decoded and encoded again here, so
only those fields can ever leave the archive, in the same bytes for an unchanged record (``aip_members`` stays
deterministic; a rotation changes the record, hence a new OCFL version of the hồ sơ, which is right: what opens
the object changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.store_keys import keyring_for, sealing_stores
from sohoa.storage.keyring import KeyRing
from sohoa.storage.sealed import KeyRecord, SealingStore

__all__ = ["KEY_RECORD_MEDIA_TYPE", "KEY_RECORD_SUFFIX", "KEY_RECORD_USE", "ExportedKey", "exported_key_record"]

KEY_RECORD_SUFFIX = ".key"
KEY_RECORD_USE = "Key record (wrapped data key of the envelope beside it)"
KEY_RECORD_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class ExportedKey:
    """The key record a package carries for one envelope, and the KEK that opens the envelope now."""

    data: bytes
    key_id: str


def _keyring(ctx: AppContext, stores: list[SealingStore]) -> KeyRing | None:
    if stores and stores[0].keyring is not None:
        return stores[0].keyring
    try:
        return keyring_for(ctx.settings)
    except SohoaError:
        return None


def _raw_record(ctx: AppContext, sha256: str) -> bytes | None:
    """The object's key record: the keys folder's copy first, else the one beside the envelope in the store.

    The keys folder's copy is written by every sealing, rotation and adoption, and ``sohoa keys retire`` refuses a
    KEK any of these copies names, so it always names a KEK that exists; it is also a local read where the store's
    record may be one more S3 GET per envelope on every OCFL pass."""
    stores = sealing_stores(ctx.store)[:1]
    keyring = _keyring(ctx, stores)
    kept = keyring.stored_record(sha256) if keyring is not None else None
    if kept is not None:
        return kept
    return stores[0].key_record(sha256) if stores else None


def exported_key_record(ctx: AppContext, sha256: str) -> ExportedKey | None:
    """The key record of the envelope of object ``sha256`` as a package carries it, None when the envelope has
    none (its header's wrap is then the current one). Only wrapped keys: see the module docstring."""
    raw = _raw_record(ctx, sha256)
    if raw is None:
        return None
    record = KeyRecord.decode(raw)  # a damaged record: the bilingual error (the package is not written)
    if record.plaintext_sha256 != sha256:
        raise SohoaError(f"Bản ghi khóa của {sha256} nói về đối tượng khác",
                         f"The key record of {sha256} names another object ({record.plaintext_sha256})")
    return ExportedKey(record.encode(), record.wrap.key_id)
