"""A small archive for the encryption tests: a secret, an internal and a public document in one hồ sơ, the secret
and the public one sharing their PDF (same bytes, one object)."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from sohoa.db.models import Document, Page, StoredObject
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.storage.objects import LocalObjectStore
from tests.web import _helpers as helpers


def _pdf_bytes(text: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(out, "PDF", title=text)
    return out.getvalue()


def objects_of(ctx: AppContext, doc_id: int) -> dict[str, str]:
    with ctx.db.session() as session:
        doc = session.get_one(Document, doc_id)
        page = session.execute(select(Page).where(Page.document_id == doc_id)).scalars().first()
        assert page is not None
        found = {"master": session.get_one(StoredObject, page.master_object_id).sha256}
        if doc.pdf_object_id:
            found["pdf"] = session.get_one(StoredObject, doc.pdf_object_id).sha256
        return found


def local_store(ctx: AppContext) -> LocalObjectStore:
    store = getattr(ctx.store, "primary", ctx.store)
    assert isinstance(store, LocalObjectStore)
    return store


def _with_pdf(ctx: AppContext, doc_id: int, pdf: bytes) -> None:
    with ctx.db.session() as session:
        stored = store_bytes(session, ctx.store, pdf, media_type="application/pdf", kind="pdf")
        session.get_one(Document, doc_id).pdf_object_id = stored.id


def build_world(ctx: AppContext) -> dict[str, int]:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    shared_pdf = _pdf_bytes("shared")
    ids = {
        "secret": helpers.document(ctx, file_id, pages=1, access_level="secret"),
        "internal": helpers.document(ctx, file_id, pages=1, access_level="internal"),
        "public": helpers.document(ctx, file_id, pages=1, access_level="public"),
    }
    _with_pdf(ctx, ids["internal"], _pdf_bytes("internal only"))
    _with_pdf(ctx, ids["secret"], shared_pdf)
    _with_pdf(ctx, ids["public"], shared_pdf)  # the same bytes: one object, used by a public document too
    return ids
