"""Signed PDF masters through `ingest`: signatures stored with the document, the master untouched, the PDF/A
noting its signed original, the signer searchable, shown in review, on the portal and in the API."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from fastapi.testclient import TestClient
from pikepdf import pdfa as pikepdf_pdfa
from sqlalchemy import select, update

from sohoa.app import create_app
from sohoa.db.models import Document, DocumentSignature, StoredObject
from sohoa.domain.workflow import DocumentState
from sohoa.engines.pdf_signatures import read_pdf_signatures
from sohoa.services.catalogue.catalog import SYSTEM, search_documents
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.catalogue.signatures import document_signatures, vietnamese_time
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production import review
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.rebuild import rebuild_document_pdf
from sohoa.settings import Settings
from sohoa.signing.pades import sign_pdf

from ..engines.test_pdf_signatures import Signer, make_signer
from ..web import _helpers as web
from .test_born_digital import _EXTENSION_FINDING, legal_pdf
from .test_ingest_fast import fake


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    return make_signer(tmp_path_factory.mktemp("signer"))


def _signed_master(folder: Path, signer: Signer, name: str = "qd-ky-so.pdf") -> Path:
    plain = legal_pdf(folder / "plain.pdf")
    path = folder / name
    path.write_bytes(sign_pdf(plain.read_bytes(), signer.key, reason="Ban hành", location="Quảng Ngãi",
                              field_name="ChuKy1"))
    return path


def _ingest(ctx: AppContext, path: Path) -> int:
    report = ingest_paths(ctx, [path], engine_factory=fake)
    item = report.items[0]
    assert item.state == "done", item
    return item.documents[0]


def _rows(ctx: AppContext, doc_id: int) -> list[DocumentSignature]:
    with ctx.db.session() as session:
        rows = list(session.execute(select(DocumentSignature).where(DocumentSignature.document_id == doc_id)
                                    .order_by(DocumentSignature.position)).scalars())
        session.expunge_all()
        return rows


def _dc_source(data: bytes) -> str:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = ET.fromstring(pdf.Root.Metadata.read_bytes())
    return tree.findtext(".//{http://purl.org/dc/elements/1.1/}source") or ""


def _pdf(ctx: AppContext, doc_id: int) -> bytes:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        stored = session.get(StoredObject, doc.pdf_object_id)
        assert stored is not None
        return ctx.store.read(stored.sha256)


def test_a_signed_master_keeps_its_signature_as_provenance(any_ctx: AppContext, tmp_path: Path,
                                                          signer: Signer) -> None:
    master = _signed_master(tmp_path, signer)
    before = hashlib.sha256(master.read_bytes()).hexdigest()
    doc_id = _ingest(any_ctx, master)
    [row] = _rows(any_ctx, doc_id)
    assert row.status == "read" and row.intact is True and row.valid is True
    assert row.signer_organisation == "Tỉnh Quảng Ngãi"
    assert row.signer_common_name == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert row.coverage == "entire_file" and row.trust == "not_checked"
    assert row.signing_time is not None and row.details and row.details["pages_covered"] == 2
    [read] = read_pdf_signatures(master)
    with any_ctx.db.session() as session:
        [view] = document_signatures(session, doc_id)
    assert read.signing_time is not None and view.signing_time is not None
    assert datetime.fromisoformat(view.signing_time) == read.signing_time  # the same instant, both databases
    assert view.signing_time_vi == vietnamese_time(read.signing_time)
    # The master is stored byte for byte, and the object store still holds exactly those bytes.
    assert hashlib.sha256(master.read_bytes()).hexdigest() == before
    with any_ctx.db.session() as session:
        stored = session.get(StoredObject, row.master_object_id)
        assert stored is not None and stored.sha256 == before
    assert hashlib.sha256(any_ctx.store.read(before)).hexdigest() == before
    # The PDF/A says it derives from a signed original, and is still a PDF/A.
    data = _pdf(any_ctx, doc_id)
    source = _dc_source(data)
    assert "chữ ký số" in source and before in source and "Tỉnh Quảng Ngãi" in source
    report = pikepdf_pdfa.validate_written(io.BytesIO(data), "2b")
    assert [f.message for f in report.findings if not _EXTENSION_FINDING.match(f.message)] == []
    # The signer is searchable, and the summary is in the provenance.
    found = search_documents(any_ctx, "Tỉnh Quảng Ngãi")
    assert doc_id in [hit.document_id for hit in found.results]
    with any_ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.provenance is not None
        assert doc.provenance["_signatures"]["intact"] is True


def test_a_rebuilt_pdfa_still_names_its_signed_original(ctx: AppContext, tmp_path: Path, signer: Signer) -> None:
    doc_id = _ingest(ctx, _signed_master(tmp_path, signer))
    first = _pdf(ctx, doc_id)
    with ctx.db.session() as session:
        rebuild_document_pdf(ctx, session, doc_id, "test")
    again = _pdf(ctx, doc_id)
    assert again != first
    assert "Tỉnh Quảng Ngãi" in _dc_source(again) and "chữ ký số" in _dc_source(again)


def test_search_filters_signed_and_unsigned(any_ctx: AppContext, tmp_path: Path, signer: Signer) -> None:
    signed_id = _ingest(any_ctx, _signed_master(tmp_path, signer))
    (tmp_path / "u").mkdir()
    unsigned_id = _ingest(any_ctx, legal_pdf(tmp_path / "u" / "khong-ky.pdf"))

    def found(signed: bool | None) -> set[int]:
        page = search(any_ctx, SYSTEM, SearchRequest("Điều", signed=signed, limit=50))
        return {hit.document_id for hit in page.results}

    assert {signed_id, unsigned_id} <= found(None)
    assert signed_id in found(True) and unsigned_id not in found(True)
    assert unsigned_id in found(False) and signed_id not in found(False)
    assert SearchRequest("Điều", signed=False).params()["signed"] is False  # a saved search keeps "unsigned"


def test_a_broken_signature_is_recorded_and_the_ingest_goes_on(any_ctx: AppContext, tmp_path: Path,
                                                              signer: Signer) -> None:
    data = _signed_master(tmp_path, signer).read_bytes()
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(data[:start] + b"30" + b"0" * (end - start - 2) + data[end:])
    doc_id = _ingest(any_ctx, broken)
    [row] = _rows(any_ctx, doc_id)
    assert row.status == "unreadable" and row.reason and row.intact is None


def test_an_unsigned_pdf_has_no_signature_rows(ctx: AppContext, tmp_path: Path) -> None:
    doc_id = _ingest(ctx, legal_pdf(tmp_path / "plain.pdf"))
    assert _rows(ctx, doc_id) == []
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and "_signatures" not in (doc.provenance or {})


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    web.users(ctx)
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as test_client:
        yield test_client


def test_review_portal_and_api_show_the_signature(ctx: AppContext, client: TestClient, tmp_path: Path,
                                                  signer: Signer) -> None:
    doc_id = _ingest(ctx, _signed_master(tmp_path, signer))
    web.login(client, "archivist")
    review = client.get(f"/review/{doc_id}")
    assert review.status_code == 200
    assert "Chữ ký số" in review.text and "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" in review.text
    assert "Nguyên vẹn" in review.text and "Toàn bộ tệp" in review.text and " tháng " in review.text
    assert "Chưa đối chiếu danh sách tin cậy" in review.text  # staff see the trust state
    client.cookies.clear()
    # Not public yet: the portal does not show the document at all, signature included.
    assert client.get(f"/portal/documents/{doc_id}").status_code == 404
    with ctx.db.session() as session:
        session.execute(update(Document).where(Document.id == doc_id)
                        .values(access_level="public", state=DocumentState.PUBLISHED))
    portal = client.get(f"/portal/documents/{doc_id}")
    assert portal.status_code == 200
    assert "Chữ ký số" in portal.text and "Tỉnh Quảng Ngãi" in portal.text and "Nguyên vẹn" in portal.text
    assert "Chưa đối chiếu danh sách tin cậy" not in portal.text  # the certificate details are for staff
    client.get("/lang/en", params={"next": f"/portal/documents/{doc_id}"})
    english = client.get(f"/portal/documents/{doc_id}")
    assert "Digital signature" in english.text and "Intact" in english.text and "The entire file" in english.text
    assert "(UTC+07:00)" in english.text
    api = client.get(f"/api/v1/documents/{doc_id}")
    assert api.status_code == 200, api.text
    [sig] = api.json()["signatures"]
    assert sig["signer_organisation"] == "Tỉnh Quảng Ngãi" and sig["intact"] is True
    assert sig["coverage"] == "entire_file" and sig["signing_time_vi"].startswith("ngày ")
    hits = client.get("/api/v1/search", params={"q": "Tỉnh Quảng Ngãi", "signed": "true"}).json()["results"]
    assert [h["document_id"] for h in hits] == [doc_id]
    assert client.get("/api/v1/search", params={"q": "Tỉnh Quảng Ngãi", "signed": "false"}).json()["results"] == []


def test_signing_time_is_written_in_vietnam_time() -> None:
    moment = datetime(2025, 2, 3, 3, 47, 25, tzinfo=UTC)  # 10:47:25 in Hà Nội
    assert vietnamese_time(moment) == "ngày 3 tháng 2 năm 2025, 10:47"
    assert vietnamese_time(datetime(2024, 12, 31, 17, 5, tzinfo=UTC)) == "ngày 1 tháng 1 năm 2025, 00:05"


def test_a_split_keeps_the_signatures_with_both_parts(any_ctx: AppContext, tmp_path: Path, signer: Signer) -> None:
    doc_id = _ingest(any_ctx, _signed_master(tmp_path, signer))
    new_id = review.split_document(any_ctx, doc_id, 2, actor="test")
    for part in (doc_id, new_id):
        [row] = _rows(any_ctx, part)
        assert row.signer_organisation == "Tỉnh Quảng Ngãi" and row.intact is True
        assert "Tỉnh Quảng Ngãi" in _dc_source(_pdf(any_ctx, part))
    found = {hit.document_id for hit in search_documents(any_ctx, "Tỉnh Quảng Ngãi").results}
    assert {doc_id, new_id} <= found
    other = _ingest(any_ctx, legal_pdf(tmp_path / "khac.pdf"))
    review.merge_documents(any_ctx, other, new_id, actor="test")  # unsigned + signed pages
    assert [r.signer_organisation for r in _rows(any_ctx, other)] == ["Tỉnh Quảng Ngãi"]


def test_configured_trust_roots_are_checked_at_ingest(tmp_path: Path, signer: Signer) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, signature_trust_roots=f" {signer.cert_pem} ,")
    context = open_context(settings)
    try:
        doc_id = _ingest(context, _signed_master(tmp_path, signer))
        assert [r.trust for r in _rows(context, doc_id)] == ["trusted"]
    finally:
        context.close()
