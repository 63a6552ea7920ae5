"""The objects of a package put into the store: each one checked against its SHA-256 on the way in (the store
refuses bytes that do not hash to the name), recorded as a stored object with its kind, type, original name
and creation time, and its format identification carried over when this archive has none yet.

An encrypted object travels as its envelope (``.enc``): it is put back through the store's ``restore_stored``,
which checks it is that object (decrypted with the key when the key is at hand); without a store that can, or
without the key, it is refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import ObjectFormat, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore, PutResult
from sohoa.services.platform.objects import record_object
from sohoa.services.preservation.intake.rows import values_for
from sohoa.services.preservation.intake.source import PackageRefused

__all__ = ["put_objects"]


def _put(store: ObjectStore, root: Path, sha256: str, path: str, encrypted: bool) -> PutResult:
    source = root / path
    if not source.is_file():
        raise PackageRefused(f"Thiếu tệp {path} trong gói", f"{path} is missing from the package", path)
    if store.exists(sha256) and store.verify(sha256):
        return PutResult(sha256, store.size(sha256), created=False)
    with source.open("rb") as stream:
        if not encrypted:
            return store.put_stream(stream, expected_sha256=sha256)
        try:
            return store.restore_stored(sha256, stream)
        except SohoaError as exc:
            raise PackageRefused(
                f"Không thể nhận đối tượng đã mã hóa {path}: cần khóa của kho đã tạo gói ({exc.vi})",
                f"The encrypted object {path} cannot be taken in: it needs the exporting archive's key "
                f"({exc.en})", path) from exc


def _format(session: Session, object_id: int, fmt: Mapping[str, Any] | None) -> None:
    if not fmt or not fmt.get("puid"):
        return
    if session.execute(select(ObjectFormat.id).where(ObjectFormat.object_id == object_id)).first():
        return
    session.add(ObjectFormat(object_id=object_id, **values_for(ObjectFormat, fmt, skip={"id", "object_id"})))


def put_objects(session: Session, store: ObjectStore, root: Path, objects: list[Mapping[str, Any]],
                warnings: list[str]) -> tuple[dict[str, int], int]:
    """Store every object the package holds; returns digest → stored object id, and how many were new to the
    store. An object listed without a path (not carried by this package) is only looked up."""
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
        put = _put(store, root, sha256, str(path), bool(entry.get("encrypted")))
        created += int(put.created)
        known = session.execute(select(StoredObject).where(StoredObject.sha256 == sha256)).scalar_one_or_none()
        row = known or record_object(session, PutResult(sha256, int(entry.get("size") or put.size), put.created),
                                     media_type=str(entry.get("media_type") or "application/octet-stream"),
                                     kind=str(entry.get("kind") or "master"),
                                     original_name=entry.get("original_name"))
        if known is None and entry.get("created_at"):
            row.created_at = values_for(StoredObject, {"created_at": entry["created_at"]})["created_at"]
        ids[sha256] = row.id
        _format(session, row.id, entry.get("format"))
    session.flush()
    return ids, created
