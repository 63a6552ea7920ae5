"""The review screen's page editor (#17 item 3): pages reordered by position, turned (the master never
changes, the thumbnail and the PDF/A show the turn), split at and merged with a neighbour picked from a list —
every post carries positions or a listed document, never an id a person typed; permission, CSRF and audit."""

from __future__ import annotations

import hashlib
import io
import re

import pikepdf
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image
from sqlalchemy import select

from sohoa.db.models import Document, Event, FileUnit, Page, StoredObject
from sohoa.services.platform.context import AppContext
from sohoa.services.production import page_editor, review

from . import _helpers as helpers


def _post(client: TestClient, path: str, token: str, **data: object) -> Response:
    return client.post(path, data={"csrf_token": token, **data})


def _flash(response: Response) -> list[str]:
    return re.findall(r'<p class="alert flash (?:notice|error)" role="(?:status|alert)">([^<]*)</p>', response.text)


def _page_ids(ctx: AppContext, doc_id: int) -> list[int]:
    return [p["id"] for p in review.get_document(ctx, doc_id).pages]


def _master_sha(ctx: AppContext, page_id: int) -> tuple[str, str]:
    """The master's recorded SHA-256 and the SHA-256 of the bytes the store holds for it now."""
    with ctx.db.session() as session:
        page = session.get(Page, page_id)
        assert page is not None
        master = session.get(StoredObject, page.master_object_id)
        assert master is not None
        return master.sha256, hashlib.sha256(ctx.store.read(master.sha256)).hexdigest()


def _pdf_rotations(ctx: AppContext, doc_id: int) -> list[int]:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.pdf_object_id is not None
        pdf_object = session.get(StoredObject, doc.pdf_object_id)
        assert pdf_object is not None
        data = ctx.store.read(pdf_object.sha256)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [int(page.obj.get("/Rotate", 0)) for page in pdf.pages]


def _events(ctx: AppContext, action: str, doc_id: int) -> list[dict[str, object]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(Event).where(Event.action == action, Event.entity_id == str(doc_id)).order_by(Event.id)
        ).scalars()
        return [dict(e.payload or {}) for e in rows]


def test_the_editor_asks_no_id_of_anyone(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    before = helpers.document(ctx, file_id, pages=1, type_name="Quyết định", code_number="5", code_notation="QĐ-UBND")
    doc = helpers.document(ctx, file_id, pages=3)
    after = helpers.document(ctx, file_id, pages=1, type_name="Công văn")
    helpers.login(client, "archivist")
    html = client.get(f"/review/{doc}").text
    assert 'name="order"' not in html and 'name="other_id" type="number"' not in html  # the old id boxes
    assert 'id="f-at"' not in html and 'type="number"' not in html  # nor the move-to-file id box
    assert 'data-picker="documents"' in html and 'data-picker="files"' in html  # pick by code or words
    assert html.count('class="pe-page"') == 3 and 'name="positions" value="1,2,3"' in html
    assert html.count('name="at_page" value=') == 2  # split from page 2 or 3, picked on its thumbnail
    # The neighbours to merge with, named by type and số/ký hiệu, each a button (its id is in a hidden field).
    assert "Quyết định 5/QĐ-UBND" in html and "Công văn" in html
    assert f'name="other_id" value="{before}"><input type="hidden" name="place" value="before">' in html
    assert f'name="other_id" value="{after}"><input type="hidden" name="place" value="after">' in html
    # The OCR text reads in a proportional font, page by page.
    assert re.search(r'<div class="ocrtext" id="ocr-text" lang="vi"><section><h3>Trang số 1</h3><p>trang 1</p>', html)
    css = client.get("/static/app.css").text
    assert "monospace" not in re.search(r"\.ocrtext \{[^}]*\}", css).group(0)  # type: ignore[union-attr]


def test_rotation_is_stored_shown_and_never_touches_the_master(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=2)
    first, second = _page_ids(ctx, doc)
    recorded, stored = _master_sha(ctx, first)
    assert recorded == stored
    token = helpers.login(client, "archivist")
    upright = Image.open(io.BytesIO(client.get(f"/pages/{first}/thumbnail").content))
    assert upright.height > upright.width  # the scan is portrait (600 × 800)

    turned = _post(client, f"/review/{doc}/rotate", token, page=1, degrees=90)
    assert turned.status_code == 200 and turned.url.path == f"/review/{doc}"
    assert _flash(turned) == ["Đã xoay trang 1 thêm 90° (nay 90° so với bản quét)"]
    assert f'src="/pages/{first}/thumbnail?r=90"' in turned.text and "↻90°" in turned.text
    assert '"rotation": 90' in turned.text  # the page viewer's configuration: it shows the page turned
    assert '"rotation": 90' in client.get(f"/documents/{doc}").text  # and so does the staff document page
    thumb = Image.open(io.BytesIO(client.get(f"/pages/{first}/thumbnail?r=90").content))
    assert thumb.width > thumb.height  # served turned
    assert _pdf_rotations(ctx, doc) == [90, 0]  # the rebuilt PDF/A turns the page (image and text layer)
    assert review.get_document(ctx, doc).pages[0]["rotation"] == 90
    assert _master_sha(ctx, first) == (recorded, recorded)  # the master: same object, same bytes

    _post(client, f"/review/{doc}/rotate", token, page=1, degrees=270)  # back upright
    _post(client, f"/review/{doc}/rotate", token, page=2, degrees=180)
    assert _pdf_rotations(ctx, doc) == [0, 180]
    assert _master_sha(ctx, second) == (recorded, recorded)
    rotations = [
        (e["page_no"], e["before"], e["after"])
        for e in _events(ctx, "document.update", doc)
        if e.get("operation") == "rotate"
    ]
    assert rotations == [(1, 0, 90), (1, 90, 0), (2, 0, 180)]
    refused = _post(client, f"/review/{doc}/rotate", token, page=1, degrees=45)
    assert refused.status_code == 400 and "Góc xoay không hợp lệ" in refused.text
    missing = _post(client, f"/review/{doc}/rotate", token, page=9, degrees=90)
    assert missing.status_code == 400 and "Văn bản không có trang 9" in missing.text


def test_reorder_by_positions_and_by_one_move(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=3)
    a, b, c = _page_ids(ctx, doc)
    token = helpers.login(client, "archivist")
    saved = _post(client, f"/review/{doc}/reorder", token, positions="3,1,2")  # what the drag and drop posts
    assert saved.status_code == 200 and _flash(saved) == ["Đã sắp xếp lại thứ tự trang"]
    assert _page_ids(ctx, doc) == [c, a, b]
    moved = _post(client, f"/review/{doc}/reorder", token, page=1, step=1, positions="1,2,3")  # a → button
    assert _flash(moved) == ["Đã chuyển trang 1 sang vị trí 2"]
    assert _page_ids(ctx, doc) == [a, c, b]
    for bad in ({"positions": "1,1,2"}, {"positions": "1,2"}, {"page": 1, "step": -1}, {"page": 3, "step": 1}):
        refused = _post(client, f"/review/{doc}/reorder", token, **bad)
        assert refused.status_code == 400, bad
    assert _page_ids(ctx, doc) == [a, c, b]
    assert page_editor.moved_positions(3, 2, -1) == [2, 1, 3]


def test_split_and_merge_with_a_listed_neighbour(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    first = helpers.document(ctx, file_id, pages=1)
    doc = helpers.document(ctx, file_id, pages=2)
    other_file = helpers.accession_with_files(ctx, files=2)[1][1]
    elsewhere = helpers.document(ctx, other_file, pages=1)
    assert [n.id for n in page_editor.neighbours(ctx, doc)] == [first]  # same hồ sơ only
    head = _page_ids(ctx, first)
    own = _page_ids(ctx, doc)
    token = helpers.login(client, "archivist")
    merged = _post(client, f"/review/{doc}/merge", token, other_id=first, place="before")
    assert _flash(merged) == [f"Đã gộp các trang của văn bản #{first} vào đầu văn bản #{doc}"]
    assert _page_ids(ctx, doc) == head + own  # the document that came first keeps its pages first
    assert f'name="other_id" value="{first}"' not in merged.text  # merged away: no longer a neighbour
    assert f'name="other_id" value="{elsewhere}"' not in merged.text
    split = _post(client, f"/review/{doc}/split", token, at_page=2)
    [text] = _flash(split)
    assert text.startswith("Đã tách từ trang 2 thành văn bản mới #")
    new_id = int(text.rsplit("#", 1)[1])
    assert _page_ids(ctx, doc) == head and _page_ids(ctx, new_id) == own
    assert [n.id for n in page_editor.neighbours(ctx, doc)] == [new_id]


def test_permission_csrf_and_one_audit_event_for_the_thumbnails(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=2)
    first, _second = _page_ids(ctx, doc)
    helpers.login(client, "archivist")
    assert client.post(f"/review/{doc}/rotate", data={"page": 1, "degrees": 90}).status_code == 403  # no CSRF
    views = len(_events(ctx, "page.view", doc))
    client.get(f"/review/{doc}")
    for _ in range(3):
        assert client.get(f"/pages/{first}/thumbnail?r=0").status_code == 200
    shown = _events(ctx, "page.view", doc)[views:]
    assert shown == [{"channel": "review", "kind": "thumbnail", "pages": 2}]
    operator = helpers.login(client, "scan_operator")  # may see page images, may not review
    assert _post(client, f"/review/{doc}/rotate", operator, page=1, degrees=90).status_code == 403
    assert _post(client, f"/review/{doc}/reorder", operator, positions="2,1").status_code == 403
    assert review.get_document(ctx, doc).pages[0]["rotation"] == 0 and _page_ids(ctx, doc)[0] == first
    client.post("/logout", data={"csrf_token": operator})
    assert client.get(f"/pages/{first}/thumbnail", follow_redirects=False).status_code in (302, 303, 401)
    assert _pdf_rotations_unset(ctx, doc)


def _pdf_rotations_unset(ctx: AppContext, doc_id: int) -> bool:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        return doc is not None and doc.pdf_object_id is None  # nothing was rebuilt by the refused posts


def test_page_operations_on_both_backends(any_ctx: AppContext) -> None:
    """The rotation column (migration r017), the locked writes and the neighbours' query on SQLite and
    PostgreSQL alike."""
    ctx = any_ctx
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    first = helpers.document(ctx, file_id, pages=1)
    doc = helpers.document(ctx, file_id, pages=3)
    a, b, c = _page_ids(ctx, doc)
    recorded, _stored = _master_sha(ctx, a)
    assert page_editor.rotate_page(ctx, doc, 2, 270, actor="archivist") == 270
    assert page_editor.rotate_page(ctx, doc, 2, 180, actor="archivist") == 90
    assert _pdf_rotations(ctx, doc) == [0, 90, 0]
    assert _master_sha(ctx, b) == (recorded, recorded)
    page_editor.reorder_by_positions(ctx, doc, [2, 3, 1], actor="archivist")
    assert _page_ids(ctx, doc) == [b, c, a]
    assert [(n.id, n.before) for n in page_editor.neighbours(ctx, doc)] == [(first, True)]
    head = _page_ids(ctx, first)
    review.merge_documents(ctx, doc, first, actor="archivist", before=True)
    assert _page_ids(ctx, doc) == [*head, b, c, a]
    assert page_editor.neighbours(ctx, doc) == []


def test_qc_keeps_its_audited_thumbnails(ctx: AppContext, client: TestClient) -> None:
    """Only the review screen (which records one page.view for its strip) uses the unaudited thumbnail route."""
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=2, state="qc")
    helpers.login(client, "qc_inspector")
    html = client.get(f"/qc/documents/{doc}").text
    assert f"/documents/{doc}/pages/2/image?kind=thumbnail" in html and "/thumbnail?r=" not in html


def test_merge_and_move_through_the_pickers(ctx: AppContext, client: TestClient) -> None:
    """Without the script the pickers' forms post what the person typed (a số/ký hiệu, a file code) and the
    server resolves it under the access policy; with it, the hidden id of the line picked settles it."""
    _acc, (file_id, other_file) = helpers.accession_with_files(ctx, files=2)
    doc = helpers.document(ctx, file_id, pages=1)
    far = helpers.document(ctx, other_file, pages=1, type_name="Tờ trình", code_number="77", code_notation="TTr-UBND")
    token = helpers.login(client, "archivist")
    merged = _post(client, f"/review/{doc}/merge", token, other="77/TTr-UBND", other_id="")
    assert _flash(merged) == [f"Đã gộp các trang của văn bản #{far} vào văn bản #{doc}"]
    assert len(_page_ids(ctx, doc)) == 2
    unknown = _post(client, f"/review/{doc}/merge", token, other="99/KHÔNG-CÓ", other_id="")
    assert unknown.status_code == 400 and "Không tìm thấy văn bản «99/KHÔNG-CÓ»" in unknown.text
    nothing = _post(client, f"/review/{doc}/merge", token, other="", other_id="")
    assert nothing.status_code == 400 and "Hãy chọn một mục trong danh sách" in nothing.text
    with ctx.db.session() as session:
        code = session.get(FileUnit, other_file).file_code  # type: ignore[union-attr]
    moved = _post(client, f"/review/{doc}/move", token, file=code, file_id="")
    assert moved.status_code == 200 and _flash(moved) == [f"Đã chuyển văn bản #{doc} sang hồ sơ số {other_file}"]
    with ctx.db.session() as session:
        assert session.get(Document, doc).file_id == other_file  # type: ignore[union-attr]
