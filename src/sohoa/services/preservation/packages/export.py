"""`sohoa package sip|aip|dip`: build, write, validate and record one information package.

The command line is the operator (it reads everything); the access rules apply to what leaves the archive: a
DIP without ``staff`` holds public documents only (others are refused, naming them) and masked PDFs; with
``staff`` it holds the documents as staff see them. Each export appends a PREMIS ``information package
creation`` event to the hồ sơ and to every document, and an audit ``package.export`` event, after the package
validated; a package that does not validate is still written (to look at) and reported with its problems,
and its events record the failure.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit
from sohoa.domain.codes import AccessLevel
from sohoa.domain.errors import NotFound, SohoaError
from sohoa.services.catalogue.search import MAX_LIMIT, SearchRequest, search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.packages.members import build_package, open_member
from sohoa.services.preservation.packages.model import PackageKind, Problem, Scope
from sohoa.services.preservation.packages.premis import PackageEvent
from sohoa.services.preservation.packages.validate import validate_package
from sohoa.services.preservation.packages.writer import WrittenPackage, write_package, write_package_to_root
from sohoa.storage.factory import build_blob_root, parse_s3_url

__all__ = ["PackageReport", "documents_for_query", "export_package", "resolve_scope", "validate_at"]


@dataclass(frozen=True)
class PackageReport:
    """What was exported: kind, id, where and how big, how many documents/objects, and validation problems."""

    kind: str
    package_id: str
    written: WrittenPackage
    documents: int
    objects: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def resolve_scope(session: Session, kind: PackageKind, *, file_code: str | None,
                  document_ids: Sequence[int]) -> Scope:
    """The scope named on the command line: a hồ sơ (``_hoso`` kinds need one) or documents."""
    if file_code and document_ids:
        raise SohoaError("Chọn một hồ sơ hoặc danh sách văn bản, không cả hai",
                         "Give a file or a list of documents, not both")
    if file_code:
        file_id = session.execute(select(FileUnit.id).where(FileUnit.file_code == file_code)).scalar_one_or_none()
        if file_id is None:
            raise NotFound(f"Không có hồ sơ mã '{file_code}'", f"No file with code '{file_code}'")
        if kind in (PackageKind.SIP_TAILIEU, PackageKind.AIP_TAILIEU):
            ids = tuple(session.scalars(select(Document.id).where(Document.file_id == file_id)))
            return Scope(document_ids=ids)
        return Scope(file_id=file_id)
    if kind.of_file:
        raise SohoaError(f"Gói {kind.value} cần một hồ sơ (--file MÃ)",
                         f"A {kind.value} package needs a file (--file CODE)")
    if not document_ids:
        raise SohoaError("Gói tin cần --file MÃ hoặc --documents ID,ID",
                         "A package needs --file CODE or --documents ID,ID")
    return Scope(document_ids=tuple(document_ids))


def documents_for_query(ctx: AppContext, query: str, *, public: bool) -> list[int]:
    """The documents a search finds (every word in each; at most 200), as the public (``public``) or the
    operator sees them; the search is audited like any other."""
    principal = None if public else SYSTEM
    page = search(ctx, principal, SearchRequest(query=query, limit=MAX_LIMIT), channel="cli")
    if page.partial or not page.results:
        raise NotFound(f"Không văn bản nào khớp '{query}'", f"No document matches '{query}'")
    if page.total > len(page.results):
        raise SohoaError(f"'{query}' khớp {page.total} văn bản (tối đa {MAX_LIMIT} một gói); thu hẹp truy vấn",
                         f"'{query}' matches {page.total} documents (at most {MAX_LIMIT} a package); narrow it")
    return sorted(hit.document_id for hit in page.results)


def validate_at(ctx: AppContext, place: str | Path) -> list[Problem]:
    """:func:`validate_package` of a local folder, zip or bag, or of an ``s3://bucket/prefix``."""
    if parse_s3_url(str(place)) is not None:
        return validate_package(build_blob_root(str(place), ctx.settings))
    return validate_package(Path(place))


def _check_dip(session: Session, scope: Scope) -> None:
    query = select(Document.id, Document.access_level)
    query = (query.where(Document.file_id == scope.file_id) if scope.file_id is not None
             else query.where(Document.id.in_(scope.document_ids)))
    closed = [f"#{doc_id} ({level})" for doc_id, level in session.execute(query) if level != AccessLevel.PUBLIC]
    file = session.get(FileUnit, scope.file_id) if scope.file_id is not None else None
    if file is not None and file.access_level != AccessLevel.PUBLIC:
        closed.insert(0, f"{file.file_code} ({file.access_level})")
    if closed:
        names = ", ".join(closed[:10]) + (" …" if len(closed) > 10 else "")
        raise SohoaError(f"Gói DIP công khai chỉ gồm tài liệu công khai; không công khai: {names}. Dùng --staff "
                         "cho gói dành cho cán bộ lưu trữ",
                         f"A public DIP holds public material only; not public: {names}. Use --staff for a DIP "
                         "for archive staff")


def export_package(ctx: AppContext, kind: PackageKind | str, out: Path | str, *, file_code: str | None = None,
                   document_ids: Sequence[int] = (), fmt: str = "dir", staff: bool = False,
                   actor: str = "system") -> PackageReport:
    """Build the package, write it to ``out`` (``fmt``: dir, zip, bagit, bagit-zip), validate it, record it.
    ``out``: a new local folder or zip, or an empty ``s3://bucket/prefix`` (dir or bagit only)."""
    kind = PackageKind(kind)
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        scope = resolve_scope(session, kind, file_code=file_code, document_ids=document_ids)
        if kind is PackageKind.DIP and not staff:
            _check_dip(session, scope)
        own = PackageEvent(f"urn:uuid:{uuid.uuid4()}", str(EventType.PACKAGE_CREATION), now,
                           f"{kind.value} ({fmt})")
        built = build_package(ctx, session, scope, kind, complete=True, created=now, staff=staff, own_events=[own])
        data = built.data
        organization = data.unit.name if data.unit is not None else "Sohoa"
        source = functools.partial(open_member, ctx, session)
        if parse_s3_url(str(out)) is not None:
            root = build_blob_root(str(out), ctx.settings)
            written = write_package_to_root(built.members, source, root, str(out), fmt=fmt,
                                            package_id=built.package_id, organization=organization, now=now)
            problems = validate_package(root)
        else:
            written = write_package(built.members, source, Path(out), fmt=fmt, package_id=built.package_id,
                                    organization=organization, now=now)
            problems = validate_package(written.path)
        outcome = Outcome.FAILURE if problems else Outcome.SUCCESS
        payload = {"kind": kind.value, "package_id": built.package_id, "format": fmt, "path": written.location,
                   "sha256": written.sha256, "sha256_of": written.sha256_of, "files": written.files,
                   "bytes": written.bytes, "staff": staff}
        note = "; ".join(str(p) for p in problems[:5]) or None
        if data.file is not None:
            record_preservation_event(session, EventType.PACKAGE_CREATION, outcome, file_id=data.file.id,
                                      detail=own.detail, outcome_detail=note, payload=payload,
                                      identifier=own.identifier, at=now)
        for doc in data.documents:
            record_preservation_event(session, EventType.PACKAGE_CREATION, outcome, document_id=doc.id,
                                      detail=own.detail, outcome_detail=note, payload=payload, at=now)
        entity = ("file_unit", data.file.id) if data.file is not None else ("document", data.documents[0].id)
        record_event(session, actor, "package.export", entity[0], entity[1],
                     {**payload, "documents": [d.id for d in data.documents], "valid": not problems})
        objects = len({m.object_id for m in built.members if m.object_id is not None})
        return PackageReport(kind.value, built.package_id, written, len(data.documents), objects, problems)
