"""Hồ sơ của đơn vị: a unit officer sees the records of the unit and its lineage, and nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sohoa.db.models import Document, FileUnit, UnitLink
from sohoa.index import make_index
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement
from sohoa.services.production.ingest_store import document_index_doc

from . import _helpers as helpers


def _file(ctx: AppContext, unit_id: int, code: str, access_level: str = "internal") -> int:
    with ctx.db.session() as session:
        file = FileUnit(file_code=code, title=f"Hồ sơ {code}", unit_id=unit_id, access_level=access_level)
        session.add(file)
        session.flush()
        return file.id


def _doc(ctx: AppContext, file_id: int, subject: str, **fields: object) -> int:
    doc_id = helpers.document(ctx, file_id, pages=1, subject=subject, type_name="Quyết định", **fields)
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.text = subject
        make_index(ctx.db.engine).upsert(session, document_index_doc(doc))
    return doc_id


def _world(ctx: AppContext) -> dict[str, int]:
    """Our ward (the officer's), the old ward merged into it, and an unrelated ward, each with records."""
    ours = helpers.unit(ctx)
    old = helpers.unit(ctx, "000.00.00.H26.OLD", "UBND phường Cũ")
    other = helpers.unit(ctx, "000.00.00.H26.OTH", "UBND phường Khác")
    with ctx.db.session() as session:
        session.add(UnitLink(from_unit_id=old, to_unit_id=ours, kind="merged_into", share="full"))
    f_ours, f_old, f_other = _file(ctx, ours, "HS.OURS"), _file(ctx, old, "HS.OLD"), _file(ctx, other, "HS.OTHER")
    f_public = _file(ctx, other, "HS.PUBLIC", "public")
    return {
        "ours": _doc(ctx, f_ours, "Về việc hòa giải tranh chấp đất đai", code_number="7", code_notation="QĐ-UBND"),
        "old": _doc(ctx, f_old, "Về việc hòa giải ở cơ sở năm 2019"),
        "other": _doc(ctx, f_other, "Về việc hòa giải phường khác"),
        "public": _doc(ctx, f_public, "Về việc hòa giải công khai", access_level="public"),
        "secret": _doc(ctx, f_ours, "Về việc hòa giải mật", secrecy="Mật", access_level="secret"),
    }


def test_officer_sees_own_and_predecessor_records_only(ctx: AppContext, client: TestClient) -> None:
    docs = _world(ctx)
    helpers.login(client, "unit_officer")
    home = client.get("/")
    assert 'href="/our-records"' in home.text
    page = client.get("/our-records")
    assert page.status_code == 200
    shown = {key for key, doc_id in docs.items() if f'href="/documents/{doc_id}"' in page.text}
    assert shown == {"ours", "old"}
    assert "HS.OURS" in page.text and "HS.OLD" in page.text and "HS.OTHER" not in page.text
    assert "HS.PUBLIC" not in page.text and "UBND phường Cũ" in page.text
    assert client.get(f"/documents/{docs['old']}").status_code == 200


def test_search_inside_the_unit_records(ctx: AppContext, client: TestClient) -> None:
    docs = _world(ctx)
    helpers.login(client, "unit_clerk")
    page = client.get("/our-records", params={"q": "hoa giai"})
    assert page.status_code == 200
    shown = {key for key, doc_id in docs.items() if f'href="/documents/{doc_id}"' in page.text}
    assert shown == {"ours", "old"}
    sign = client.get("/our-records", params={"q": "7/QĐ-UBND"})
    assert f'href="/documents/{docs["ours"]}"' in sign.text and f'href="/documents/{docs["old"]}"' not in sign.text


def test_staff_without_a_unit_get_a_notice_and_no_link(ctx: AppContext, client: TestClient) -> None:
    _world(ctx)
    helpers.login(client, "archivist")
    assert 'href="/our-records"' not in client.get("/").text
    page = client.get("/our-records")
    assert page.status_code == 200 and "chưa gắn với đơn vị" in page.text and "/documents/" not in page.text


def test_service_counts_documents_per_file(ctx: AppContext, staff: dict[str, str]) -> None:
    docs = _world(ctx)
    from sohoa.services.identity.principal import Principal

    officer = Principal(user_id=99, username="x", role="unit_officer", unit_id=helpers.unit(ctx))
    records = arrangement.unit_records(ctx, officer)
    counts = {f.file_code: f.documents for f in records.files}
    assert counts == {"HS.OURS": 1, "HS.OLD": 1}  # the secret document is not counted
    assert {d.id for d in records.documents} == {docs["ours"], docs["old"]}
