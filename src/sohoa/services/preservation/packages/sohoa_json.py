"""`metadata/other/sohoa.json` and `metadata/other/audit.jsonl`: every field Sohoa keeps, for a round trip.

sohoa.json (UTF-8, NFC, keys sorted) — format ``"sohoa-package/1"``::

    {
      "format": "sohoa-package/1",
      "package": {"id": OBJID, "kind": "AIP_hoso" | …, "created": ISO+07:00 | null},
      "unit":   {every column of units} | null,          # the creating body of the hồ sơ
      "fonds":  {every column of fonds} | null,
      "file":   {every column of file_units} | null,     # null for documents outside any hồ sơ
      "documents": [ {every column of documents,
                      "key": folder/name of the document in the package,
                      "pdf": {"path", "sha256"} | null,
                      "pages": [ {every column of pages, "master": {"path", "sha256", "source_index"},
                                  "ocr": {"path", "sha256"} | null} ],
                      "signatures": [ {every column of document_signatures} ],
                      "personal_data": [ {every column of personal_data} ] } ],   # [] in a DIP
      "objects": [ {"sha256", "size", "media_type", "kind", "original_name", "created_at",
                    "path": where it is in the package | null, "encrypted": bool,
                    "format": {"puid", "name", "version", "mime", "tool", "basis", "warning"} | null} ],
      "ingest_items": [ {"id", "sha256", "original_name", "state", "pages", "master_sha256"} ]
    }

Column values: dates and times in ISO 8601 (times in UTC with offset, as stored), enums by value, JSON as is.
Row ids are the exporting archive's ids (so a reader maps ``document_id``/``object ids`` by the ``id`` of the
rows above and by ``sha256`` for objects); foreign keys to stored objects are given as ``<name>_sha256`` too.
``last_fixity_at`` (a check, not a property of the object) is not written.

audit.jsonl — one JSON object a line, oldest first, exactly as in the exporting archive's hash-chained log:
``{"id", "at" (UTC ISO 8601, microseconds), "at_local" (+07:00), "actor", "action", "entity_type", "entity_id",
"payload", "prev_hash", "hash"}``; the ``hash`` recomputes from its row with the audit log's digest function.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import inspect

from sohoa.db.models import Event, StoredObject
from sohoa.services.preservation.events import iso_vn
from sohoa.services.preservation.packages.collect import Collected

__all__ = ["FORMAT", "audit_jsonl", "dumps", "row_dict", "sohoa_json"]

FORMAT = "sohoa-package/1"
_SKIP = frozenset({"last_fixity_at"})


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def row_dict(row: object) -> dict[str, Any]:
    """Every mapped column of ``row`` (by attribute name) as JSON values."""
    mapper = inspect(type(row))
    return {attr.key: _value(getattr(row, attr.key)) for attr in mapper.column_attrs if attr.key not in _SKIP}


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n"


def _ref(paths: dict[int, str], objects: dict[int, StoredObject], object_id: int | None) -> dict[str, Any] | None:
    if object_id is None or object_id not in objects:
        return None
    return {"path": paths.get(object_id), "sha256": objects[object_id].sha256}


def sohoa_json(data: Collected, *, package_id: str, kind: str, created: datetime | None,
               paths: dict[int, str], encrypted: set[int], personal: bool) -> bytes:
    """The document described in the module docstring; ``paths``: object id → its path in the package."""
    objects = data.objects
    documents = []
    for doc in data.documents:
        row = row_dict(doc)
        row["key"] = data.keys[doc.id]
        row["pdf"] = _ref(paths, objects, doc.pdf_object_id)
        pages = []
        for page in data.pages.get(doc.id, []):
            page_row = row_dict(page)
            master = objects[page.master_object_id]
            page_row["master"] = {"path": paths.get(master.id), "sha256": master.sha256,
                                  "source_index": page.source_index}
            page_row["ocr"] = _ref(paths, objects, page.ocr_object_id)
            for name in ("master_object_id", "ocr_object_id", "thumbnail_object_id", "image_object_id"):
                target = objects.get(page_row[name]) if page_row[name] else None
                page_row[name.replace("_object_id", "_sha256")] = target.sha256 if target else None
            pages.append(page_row)
        row["pages"] = pages
        row["signatures"] = [_signature(s, objects) for s in data.signatures if s.document_id == doc.id]
        row["personal_data"] = ([row_dict(p) for p in data.personal if p.document_id == doc.id]
                                if personal else [])
        documents.append(row)
    body = {
        "format": FORMAT,
        "package": {"id": package_id, "kind": kind, "created": iso_vn(created) if created else None},
        "unit": row_dict(data.unit) if data.unit else None,
        "fonds": row_dict(data.fonds) if data.fonds else None,
        "file": row_dict(data.file) if data.file else None,
        "documents": documents,
        "objects": [_object(o, data, paths, encrypted) for o in sorted(objects.values(), key=lambda o: o.sha256)],
        "ingest_items": [{"id": i.id, "sha256": i.sha256, "original_name": i.original_name,
                          "state": _value(i.state), "pages": i.pages,
                          "master_sha256": objects[i.master_object_id].sha256
                          if i.master_object_id in objects else None} for i in data.ingest_items],
    }
    return dumps(body)


def _signature(row: Any, objects: dict[int, StoredObject]) -> dict[str, Any]:
    out = row_dict(row)
    master = objects.get(row.master_object_id)
    out["master_sha256"] = master.sha256 if master else None
    return out


def _object(obj: StoredObject, data: Collected, paths: dict[int, str], encrypted: set[int]) -> dict[str, Any]:
    fmt = data.formats.get(obj.id)
    return {"sha256": obj.sha256, "size": obj.size, "media_type": obj.media_type, "kind": obj.kind,
            "original_name": obj.original_name, "created_at": _value(obj.created_at), "path": paths.get(obj.id),
            "encrypted": obj.id in encrypted,
            "format": None if fmt is None else {"puid": fmt.puid, "name": fmt.name, "version": fmt.version,
                                                 "mime": fmt.mime, "tool": fmt.tool, "basis": fmt.basis,
                                                 "warning": fmt.warning}}


def audit_jsonl(events: list[Event]) -> bytes:
    """The audit events, one JSON line each (see the module docstring)."""
    lines = []
    for event in events:
        lines.append(json.dumps({
            "id": event.id, "at": _value(event.at), "at_local": iso_vn(event.at), "actor": event.actor,
            "action": event.action, "entity_type": event.entity_type, "entity_id": event.entity_id,
            "payload": event.payload, "prev_hash": event.prev_hash, "hash": event.hash,
        }, ensure_ascii=False, sort_keys=True))
    return "".join(line + "\n" for line in lines).encode("utf-8")
