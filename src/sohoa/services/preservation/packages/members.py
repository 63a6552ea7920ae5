"""The members of a package: every file with its path, digest and size, the root METS last.

Layout (E-ARK CSIP, TT 05/2025)::

    METS.xml                                     root METS (CSIP profile)
    metadata/descriptive/EAD.xml                 EAD 2002 of the hồ sơ and its documents
    metadata/preservation/PREMIS.xml             PREMIS 3.0: objects, events, agents, rights
    metadata/other/sohoa.json                    every field Sohoa keeps (see ``sohoa_json``)
    metadata/other/audit.jsonl                   the hash-chained audit events of the file and documents
    representations/rep1/METS.xml                representation METS (its data files, its PREMIS)
    representations/rep1/metadata/preservation/PREMIS.xml  PREMIS of the representation's files
    representations/rep1/data/masters/<name>     the masters, as stored (``.enc`` when encrypted)
    representations/rep1/data/…/<name>.enc.key   an envelope's key record (wrapped data key; ``key_records``)
    representations/rep1/data/documents/<key>.pdf  each document's PDF/A (a DIP: masked for the public)
    representations/rep1/data/ocr/<key>/page-<n>.json  OCR of each page
    schemas/*.xsd                                the official schemas

A DIP holds no masters and no OCR, and its PDFs are plaintext; a public DIP (not ``staff``) holds neither
sohoa.json nor audit.jsonl (they carry unmasked text). Generated files are deterministic: with ``complete``
False (what OCFL uses) the package date is the latest change of what it holds, and read-only audit events and
recurring PREMIS events are left out, so an unchanged hồ sơ gives the same members every time.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import BinaryIO

from sqlalchemy.orm import Session

from sohoa.db.models import Document, StoredObject
from sohoa.services.catalogue.personal_derivatives import masked_pdf_object
from sohoa.services.catalogue.personal_masking import masking_for
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.events import iso_vn
from sohoa.services.preservation.packages.collect import Collected, collect, safe_name
from sohoa.services.preservation.packages.ead import ead_xml
from sohoa.services.preservation.packages.key_records import (
    KEY_RECORD_MEDIA_TYPE,
    KEY_RECORD_SUFFIX,
    KEY_RECORD_USE,
    exported_key_record,
)
from sohoa.services.preservation.packages.mets import MdRef, mets_xml
from sohoa.services.preservation.packages.model import PackageKind, PackageMember, Scope
from sohoa.services.preservation.packages.premis import HeldObject, PackageEvent, premis_xml
from sohoa.services.preservation.packages.sohoa_json import audit_jsonl, sohoa_json

__all__ = ["REP", "SCHEMA_FILES", "BuiltPackage", "aip_members", "build_package", "open_member", "package_id_for",
           "package_members"]

REP = "representations/rep1/"
SCHEMA_FILES = ("mets.xsd", "xlink.xsd", "xml.xsd", "DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd",
                "ead.xsd", "premis-v3-0.xsd")
_XML = "text/xml"
README = """Gói thông tin lưu trữ (TT 05/2025; E-ARK CSIP, METS, EAD 2002, PREMIS 3.0) do Sohoa tạo
=========================================================================================

METS.xml                               Mô tả gói: mọi tệp với SHA-256, kích thước, kiểu MIME
metadata/descriptive/EAD.xml           Mô tả hồ sơ và từng văn bản (EAD 2002; trường TT 05 trong <odd>)
metadata/preservation/PREMIS.xml       Đối tượng, sự kiện bảo quản, tác nhân, quyền (PREMIS 3.0)
metadata/other/sohoa.json              Mọi trường Sohoa lưu (để nhập lại đầy đủ)
metadata/other/audit.jsonl             Nhật ký kiểm toán (chuỗi băm) của hồ sơ và văn bản
representations/rep1/METS.xml          Mô tả bản thể hiện
representations/rep1/metadata/         PREMIS của các tệp của bản thể hiện
representations/rep1/data/masters/     Tệp gốc (tệp .enc: đã mã hóa, khóa giữ ngoài gói; tệp .enc.key bên cạnh:
                                       khóa dữ liệu đã bọc bằng khóa đó)
representations/rep1/data/documents/   PDF/A của từng văn bản
representations/rep1/data/ocr/         Kết quả nhận dạng chữ từng trang (JSON)
schemas/                               Lược đồ XML chính thức dùng để kiểm tra gói

Kiểm tra: so SHA-256 của từng tệp với METS.xml; kiểm tra XML theo schemas/.

Information package (TT 05/2025; E-ARK CSIP, METS, EAD 2002, PREMIS 3.0) written by Sohoa
-------------------------------------------------------------------------------------------
METS.xml: every file with its SHA-256, size and MIME type. metadata/descriptive/EAD.xml: the file (hồ sơ)
and each document (EAD 2002; TT 05 fields in <odd>). metadata/preservation/PREMIS.xml: objects, preservation
events, agents, rights. metadata/other/sohoa.json: every field Sohoa keeps (for a complete re-import);
audit.jsonl: the hash-chained audit log of the file and its documents. representations/rep1/: its METS and PREMIS, the
masters (.enc: encrypted, the key is kept outside the package; .enc.key beside it: the data key wrapped by that
key), each document's PDF/A, the OCR of each page.
schemas/: the official XML schemas. To check: compare each file's SHA-256 with METS.xml; validate the XML
against schemas/.
"""


def aip_members(ctx: AppContext, session: Session, file_id: int, *,
                kind: str | PackageKind = PackageKind.AIP_HOSO) -> list[PackageMember]:
    """The members of the AIP of hồ sơ ``file_id`` (the content of its OCFL object): deterministic for an
    unchanged hồ sơ (see the module docstring)."""
    return package_members(ctx, session, Scope(file_id=file_id), PackageKind(kind))


def package_id_for(data: Collected, kind: PackageKind, *, of_file: bool = True) -> str:
    """The package's OBJID: ``urn:sohoa:<kind>:<file code>`` for a hồ sơ, else ``…:documents-<digest>``."""
    if data.file is not None and of_file and (kind.of_file or kind is PackageKind.DIP):
        return f"urn:sohoa:{kind.value.lower()}:{data.file.file_code}"
    ids = ",".join(str(d.id) for d in data.documents)
    return f"urn:sohoa:{kind.value.lower()}:documents-{hashlib.sha256(ids.encode()).hexdigest()[:16]}"


def _latest(data: Collected) -> datetime:
    moments: list[datetime] = [d.updated_at for d in data.documents] + [d.created_at for d in data.documents]
    moments += [e.at for e in data.events] + [e.at for e in data.audit]
    moments += [o.created_at for o in data.objects.values()]
    fixed = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(fixed) if fixed else datetime(2000, 1, 1, tzinfo=UTC)


def _schema_members() -> list[PackageMember]:
    folder = resources.files("sohoa.services.preservation") / "schemas"
    return [PackageMember.generated(f"schemas/{name}", folder.joinpath(name).read_bytes(), _XML)
            for name in SCHEMA_FILES]


def _stored_digest(ctx: AppContext, obj: StoredObject, data: Collected) -> tuple[str, int, bool]:
    """(sha256, size, encrypted) of the bytes the store keeps for ``obj``. An envelope's digest and size come from
    its record (written when it was sealed; a key rotation rewrites key records, never envelopes), else by
    reading it; writing the package re-hashes every byte anyway."""
    if not ctx.store.is_encrypted(obj.sha256):
        return obj.sha256, obj.size, False
    record = data.envelopes.get(obj.id)
    if record is not None:
        return record.stored_sha256, record.stored_size, True
    digest = hashlib.sha256()
    size = 0
    with ctx.store.open_stored(obj.sha256) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size, True


class _Builder:
    def __init__(self, ctx: AppContext, session: Session, data: Collected, kind: PackageKind, staff: bool) -> None:
        self.ctx, self.session, self.data, self.kind, self.staff = ctx, session, data, kind, staff
        self.data_members: list[PackageMember] = []
        self.held: list[HeldObject] = []
        self.paths: dict[int, str] = {}
        self.encrypted: set[int] = set()
        self.used: set[str] = set()
        self.masks: dict[int, Callable[[str], str]] = {}  # a public DIP: document id → its text masking

    def _unique(self, path: str) -> str:
        stem, dot, ext = path.rpartition(".")
        candidate, n = path, 1
        while candidate in self.used:
            n += 1
            candidate = f"{stem}-{n}.{ext}" if dot and "/" not in ext else f"{path}-{n}"
        self.used.add(candidate)
        return candidate

    def add_stored(self, obj: StoredObject, path: str) -> None:
        sha, size, encrypted = _stored_digest(self.ctx, obj, self.data)
        path = self._unique(path + (".enc" if encrypted else ""))
        self.data_members.append(PackageMember(path, sha, size, obj.id, None, obj.media_type))
        key = exported_key_record(self.ctx, obj.sha256) if encrypted else None
        if key is not None:  # the envelope's key record beside it (wrapped data key only; see key_records)
            self.data_members.append(PackageMember.generated(
                self._unique(path + KEY_RECORD_SUFFIX), key.data, KEY_RECORD_MEDIA_TYPE, use=KEY_RECORD_USE))
        envelope = self.data.envelopes.get(obj.id)
        key_id = key.key_id if key is not None else (envelope.key_id if envelope is not None else None)
        self.held.append(HeldObject(obj, path, sha, size, encrypted, key_id if encrypted else None))
        self.paths[obj.id] = path
        if encrypted:
            self.encrypted.add(obj.id)

    def add_plain(self, obj: StoredObject, path: str) -> None:
        """A DIP's copy: the plaintext bytes (decrypted when the object is kept encrypted)."""
        data = self.ctx.store.read(obj.sha256)
        path = self._unique(path)
        member = PackageMember.generated(path, data, obj.media_type)
        self.data_members.append(member)
        self.held.append(HeldObject(obj, path, member.sha256, member.size, False))
        self.paths[obj.id] = path

    def build(self) -> None:
        data = self.data
        if self.kind is not PackageKind.DIP:
            for master in data.masters():
                self.add_stored(master, f"{REP}data/masters/{safe_name(master.original_name or master.sha256)}")
        for doc in data.documents:
            pdf = self._pdf(doc)
            if pdf is not None:
                path = f"{REP}data/documents/{data.keys[doc.id]}.pdf"
                (self.add_plain if self.kind is PackageKind.DIP else self.add_stored)(pdf, path)
        if self.kind is not PackageKind.DIP:
            for doc in data.documents:
                for page in data.pages.get(doc.id, []):
                    if page.ocr_object_id and page.ocr_object_id in data.objects:
                        self.add_stored(data.objects[page.ocr_object_id],
                                        f"{REP}data/ocr/{data.keys[doc.id]}/page-{page.page_no}.json")

    def _pdf(self, doc: Document) -> StoredObject | None:
        source = self.data.objects.get(doc.pdf_object_id) if doc.pdf_object_id else None
        if source is None or self.kind is not PackageKind.DIP or self.staff:
            return source
        masking = masking_for(self.session, doc, None)
        if masking is None:
            return source
        self.masks[doc.id] = masking.text
        return masked_pdf_object(self.ctx.store, self.session, doc, masking)


@dataclass(frozen=True)
class BuiltPackage:
    """A package's identity and members (the root METS last), with the rows it was built from."""

    package_id: str
    members: list[PackageMember]
    data: Collected


def build_package(ctx: AppContext, session: Session, scope: Scope, kind: PackageKind, *,
                  complete: bool = False, created: datetime | None = None, staff: bool = False,
                  own_events: Sequence[PackageEvent] = ()) -> BuiltPackage:
    """The package of ``scope``. ``created`` None: the latest change of what the package holds
    (deterministic); ``own_events``: the package's own PREMIS events to write; ``staff``: a DIP for staff
    (unmasked PDFs, sohoa.json and the audit log included)."""
    data = collect(session, scope, complete=complete)
    package_id = package_id_for(data, kind, of_file=scope.file_id is not None)
    moment = created or _latest(data)
    stamp = iso_vn(moment)
    builder = _Builder(ctx, session, data, kind, staff)
    builder.build()
    title = data.file.title if data.file is not None and data.file.title else package_id
    ead = PackageMember.generated("metadata/descriptive/EAD.xml", ead_xml(data, package_id=package_id,
                                                                          title=title, masks=builder.masks), _XML)
    premis = PackageMember.generated("metadata/preservation/PREMIS.xml",
                                     premis_xml(data, builder.held, own=list(own_events), package_id=package_id),
                                     _XML)
    mdrefs = [MdRef("dmd", ead, "EAD"), MdRef("digiprovMD", premis, "PREMIS")]
    metadata = [ead, premis]
    if kind is not PackageKind.DIP or staff:
        body = sohoa_json(data, package_id=package_id, kind=kind.value, created=created, paths=builder.paths,
                          encrypted=builder.encrypted, personal=kind is not PackageKind.DIP)
        sohoa = PackageMember.generated("metadata/other/sohoa.json", body, "application/json")
        audit = PackageMember.generated("metadata/other/audit.jsonl", audit_jsonl(data.audit), "text/plain")
        metadata += [sohoa, audit]
        mdrefs += [MdRef("techMD", sohoa, "OTHER", "SOHOA-JSON"), MdRef("digiprovMD", audit, "OTHER", "AUDIT-LOG")]
    schemas = _schema_members()
    readme = PackageMember.generated("documentation/README.txt", README.encode("utf-8"), "text/plain")
    rep_metadata: list[PackageMember] = []
    if builder.held:
        rep_metadata.append(PackageMember.generated(f"{REP}metadata/preservation/PREMIS.xml", premis_xml(
            data, builder.held, own=[], package_id=package_id, representation=True), _XML))
    rep_mets = PackageMember.generated(f"{REP}METS.xml", mets_xml(
        objid=f"{package_id}/rep1", label=f"{title} (rep1)", kind=kind, created=stamp, base=REP,
        mdrefs=[MdRef("digiprovMD", m, "PREMIS") for m in rep_metadata],
        groups=[("Data", builder.data_members)]), _XML)
    root = PackageMember.generated("METS.xml", mets_xml(
        objid=package_id, label=title, kind=kind, created=stamp, base="", mdrefs=mdrefs,
        groups=[("Documentation", [readme]), ("Schemas", schemas)], representations=[("rep1", rep_mets)],
        archivist=(data.unit.name, data.unit.identifier) if data.unit is not None else None), _XML)
    members = [*builder.data_members, *metadata, *rep_metadata, rep_mets, readme, *schemas, root]
    return BuiltPackage(package_id, members, data)


def package_members(ctx: AppContext, session: Session, scope: Scope, kind: PackageKind, *,
                    complete: bool = False, created: datetime | None = None, staff: bool = False,
                    own_events: Sequence[PackageEvent] = ()) -> list[PackageMember]:
    """Every member of the package of ``scope``, the root METS last (see :func:`build_package`)."""
    return build_package(ctx, session, scope, kind, complete=complete, created=created, staff=staff,
                         own_events=own_events).members


def open_member(ctx: AppContext, session: Session, member: PackageMember) -> BinaryIO:
    """The bytes of a member: generated data, or the store's stored bytes of its object."""
    if member.data is not None:
        return io.BytesIO(member.data)
    assert member.object_id is not None
    obj = session.get(StoredObject, member.object_id)
    if obj is None:
        raise LookupError(f"stored object #{member.object_id} is gone")
    return ctx.store.open_stored(obj.sha256)
