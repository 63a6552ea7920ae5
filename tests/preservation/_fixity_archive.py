"""A small archive for the fixity tests: one hồ sơ with one document of two pages (masters, thumbnails, a PDF),
and helpers that damage the stored copies the way disks do (a flipped bit, a lost file)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from sohoa.db.models import Document, FileUnit, Page
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.platform.replica_store import primary_store
from sohoa.storage.s3 import S3ObjectStore

FILE_CODE = "HS-FIX-01"
DOC_CODE = "VB-FIX-0001"


@dataclass(frozen=True)
class Archive:
    """Ids and digests of what :func:`build_archive` made."""

    document_id: int
    masters: tuple[tuple[int, str], ...]  # (object id, sha256) of page 1, page 2
    thumbnails: tuple[tuple[int, str], ...]
    pdf: tuple[int, str]

    @property
    def all(self) -> list[tuple[int, str]]:
        return [*self.masters, *self.thumbnails, self.pdf]


def build_archive(ctx: AppContext, tag: str = "") -> Archive:
    with ctx.db.session() as session:
        unit = FileUnit(file_code=FILE_CODE, title="Hồ sơ kiểm tra toàn vẹn")
        session.add(unit)
        session.flush()
        masters = [store_bytes(session, ctx.store, f"master {n} {tag}".encode() * 50, media_type="image/tiff",
                               kind="master") for n in (1, 2)]
        thumbs = [store_bytes(session, ctx.store, f"thumb {n} {tag}".encode() * 10, media_type="image/jpeg",
                              kind="thumbnail") for n in (1, 2)]
        pdf = store_bytes(session, ctx.store, f"%PDF-1.7 {tag}".encode() * 30, media_type="application/pdf",
                          kind="pdf")
        doc = Document(text="Quyết định", source_name="qd.tif", file_id=unit.id, doc_code=DOC_CODE,
                       pdf_object_id=pdf.id, page_amount=2)
        session.add(doc)
        session.flush()
        for n, (master, thumb) in enumerate(zip(masters, thumbs, strict=True), start=1):
            session.add(Page(document_id=doc.id, master_object_id=master.id, source_index=0, page_no=n, width=10,
                             height=10, dpi=300, thumbnail_object_id=thumb.id))
        return Archive(doc.id, tuple((m.id, m.sha256) for m in masters), tuple((t.id, t.sha256) for t in thumbs),
                       (pdf.id, pdf.sha256))


def stored_path(ctx: AppContext, sha256: str) -> Path:
    store = primary_store(ctx.store)
    return Path(store.path(sha256))  # type: ignore[attr-defined]


def flip_bit(ctx: AppContext, sha256: str, offset: int = 7) -> None:
    """One bit of the stored copy flipped in place (what bit rot does; in a bucket: the key overwritten behind
    the store's back)."""
    store = primary_store(ctx.store)
    if isinstance(store, S3ObjectStore):
        key = store.key(sha256)
        data = bytearray(store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read())
        data[offset] ^= 0x01
        store.client.put_object(Bucket=store.bucket, Key=key, Body=bytes(data))
        return
    flip_path(stored_path(ctx, sha256), offset)


def flip_path(path: Path, offset: int = 7) -> None:
    """One bit of a file flipped in place, its mode kept."""
    mode = path.stat().st_mode
    os.chmod(path, mode | stat.S_IWUSR)
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([byte ^ 0x01]))
    os.chmod(path, mode)


def lose(ctx: AppContext, sha256: str) -> None:
    """The stored copy gone (a deleted file, a lost sector, a deleted key)."""
    store = primary_store(ctx.store)
    if isinstance(store, S3ObjectStore):
        store.client.delete_object(Bucket=store.bucket, Key=store.key(sha256))
        return
    stored_path(ctx, sha256).unlink()
