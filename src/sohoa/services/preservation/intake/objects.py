"""The objects of a package put into the store: each one checked against its SHA-256 on the way in (the store
refuses bytes that do not hash to the name), recorded as a stored object with its kind, type, original name
and creation time, and its format identification carried over when this archive has none yet.

An encrypted object travels as its envelope (``.enc``), with its key record (``.enc.key``) in packages that carry
one. Before anything is stored each envelope must decrypt to its object with a key at hand, through its key record
or else its header (:mod:`sohoa.services.preservation.intake.envelopes`), or the package is refused with a clear
message. An envelope opened by its record is adopted with that record (kept beside it and in the keys folder, so
it still opens after the sealing key was retired in both archives); one opened by its header is put back through
the store's ``restore_stored``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import EncryptedObject, ObjectFormat, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore, PutResult, sha256_file
from sohoa.services.platform.objects import record_object
from sohoa.services.platform.store_keys import sealing_stores
from sohoa.services.preservation.intake.envelopes import how_it_opens
from sohoa.services.preservation.intake.rows import values_for
from sohoa.services.preservation.intake.source import PackageRefused
from sohoa.storage.envelope import read_header
from sohoa.storage.keyring import KeyRing
from sohoa.storage.sealed import KeyRecord

__all__ = ["check_encrypted", "put_objects"]


def _no_key(path: str) -> PackageRefused:
    return PackageRefused(
        f"Không thể nhận đối tượng đã mã hóa {path}: kho này không có khóa (KEK) đã mã hóa nó, hoặc phong bì không "
        "giải mã ra đúng đối tượng. Hãy đưa khóa của kho đã xuất gói vào SOHOA_KEYS_DIR",
        f"The encrypted object {path} cannot be taken in: this archive lacks the key (KEK) that sealed it, or the "
        "envelope does not decrypt to the object. Put the exporting archive's key in SOHOA_KEYS_DIR", path)


def check_encrypted(store: ObjectStore, root: Path, objects: list[Mapping[str, Any]],
                    keyring: KeyRing) -> dict[str, KeyRecord]:
    """Before anything is stored: every encrypted object the store lacks (or holds damaged) decrypts, with a key
    at hand, to the object it names (else the package is refused, naming it). Returns digest → the package's key
    record for the envelopes that record opens (to keep with them)."""
    records: dict[str, KeyRecord] = {}
    for entry in objects:
        path, sha256 = entry.get("path"), str(entry["sha256"])
        if not path or not entry.get("encrypted") or (store.exists(sha256) and store.verify(sha256)):
            continue
        opening = how_it_opens(root, str(path), sha256, keyring)
        if opening is None:
            raise _no_key(str(path))
        if opening.record is not None:
            records[sha256] = opening.record
    return records


def _record_envelope(session: Session, object_id: int, source: Path, record: KeyRecord | None) -> None:
    if session.execute(select(EncryptedObject.id).where(EncryptedObject.object_id == object_id)).first():
        return
    if record is not None:
        key_id = record.wrap.key_id
    else:
        with source.open("rb") as handle:
            key_id = read_header(handle).wrap.key_id
    session.add(EncryptedObject(object_id=object_id, stored_sha256=sha256_file(source),
                                stored_size=source.stat().st_size, key_id=key_id))


def _put(store: ObjectStore, root: Path, sha256: str, path: str, encrypted: bool,
         record: KeyRecord | None = None) -> PutResult:
    source = root / path
    if not source.is_file():
        raise PackageRefused(f"Thiếu tệp {path} trong gói", f"{path} is missing from the package", path)
    if store.exists(sha256) and store.verify(sha256):
        return PutResult(sha256, store.size(sha256), created=False)
    sealing = sealing_stores(store)[:1]
    if encrypted and record is not None and sealing:
        # checked by check_encrypted: the record belongs to the envelope and opens it with a key at hand. The
        # primary keeps both (record beside the envelope and in the keys folder); a replica follows by catch-up.
        with source.open("rb") as stream:
            created = sealing[0].adopt_envelope(sha256, stream, record.encode())
        return PutResult(sha256, source.stat().st_size, created=created)
    with source.open("rb") as stream:
        if not encrypted:
            return store.put_stream(stream, expected_sha256=sha256)
        try:
            return store.restore_stored(sha256, stream)
        except SohoaError as exc:
            raise _no_key(path) from exc


def _format(session: Session, object_id: int, fmt: Mapping[str, Any] | None) -> None:
    if not fmt or not fmt.get("puid"):
        return
    if session.execute(select(ObjectFormat.id).where(ObjectFormat.object_id == object_id)).first():
        return
    session.add(ObjectFormat(object_id=object_id, **values_for(ObjectFormat, fmt, skip={"id", "object_id"})))


def put_objects(session: Session, store: ObjectStore, root: Path, objects: list[Mapping[str, Any]],
                warnings: list[str], *, key_records: Mapping[str, KeyRecord] | None = None,
                ) -> tuple[dict[str, int], int]:
    """Store every object the package holds; returns digest → stored object id, and how many were new to the
    store. An object listed without a path (not carried by this package) is only looked up. ``key_records``:
    the envelopes to adopt with the package's key record (what :func:`check_encrypted` returned)."""
    records = key_records or {}
    ids: dict[str, int] = {}
    created = 0
    for entry in objects:
        sha256 = str(entry["sha256"])
        path = entry.get("path")
        if not path:
            found = session.execute(select(StoredObject.id).where(StoredObject.sha256 == sha256)).scalar()
            if found is not None:
                ids[sha256] = found
            else:
                warnings.append(f"object {sha256[:12]} not in the package / đối tượng không có trong gói")
            continue
        put = _put(store, root, sha256, str(path), bool(entry.get("encrypted")), records.get(sha256))
        created += int(put.created)
        known = session.execute(select(StoredObject).where(StoredObject.sha256 == sha256)).scalar_one_or_none()
        row = known or record_object(session, PutResult(sha256, int(entry.get("size") or put.size), put.created),
                                     media_type=str(entry.get("media_type") or "application/octet-stream"),
                                     kind=str(entry.get("kind") or "master"),
                                     original_name=entry.get("original_name"))
        if known is None and entry.get("created_at"):
            row.created_at = values_for(StoredObject, {"created_at": entry["created_at"]})["created_at"]
        ids[sha256] = row.id
        if entry.get("encrypted") and store.is_encrypted(sha256):
            _record_envelope(session, row.id, root / str(path), records.get(sha256))
        _format(session, row.id, entry.get("format"))
    session.flush()
    return ids, created
