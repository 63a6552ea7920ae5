"""The review screen's personal data panel: a reviewer (permission REVIEW) sees the values found on the pages,
masks or shows each, adds a mask by text (every occurrence in the page words gets its box) or by a drawn region;
other roles are refused, posts need the session's CSRF token, every decision is audited and reindexes."""

from __future__ import annotations

import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image
from sqlalchemy import select

from sohoa.db.models import Document, Event, Page, PersonalDatum
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production import personal_review
from sohoa.services.production.ingest_store import document_index_doc

from . import _helpers as helpers

NAME = "Nguyễn Văn Thuận"  # fictitious (dữ liệu giả lập)
CCCD = "001085012345"
PHONE = "0912 345 678"
LINES = [["Cấp", "cho", "bà", "Nguyễn", "Văn", "Thuận,", "CCCD", "số", CCCD],
         ["điện", "thoại", "0912.345.678,", "thường", "trú", "tại", "thôn", "Đông."],
         ["Gọi", "lại", "0912", "345", "678", "khi", "cần."]]


def _ocr() -> OcrPage:
    words = [Word(text, BBox(40 + 70 * i, 100 + 60 * n, 100 + 70 * i, 140 + 60 * n), 0.95, 1, n + 1)
             for n, line in enumerate(LINES) for i, text in enumerate(line)]
    return OcrPage(width=800, height=1000, dpi=300, words=tuple(words))


def _box(line: int, first: int, last: int) -> list[int]:
    return [40 + 70 * first, 100 + 60 * line, 100 + 70 * last, 140 + 60 * line]


def _world(ctx: AppContext) -> dict[str, int]:
    """A document in review whose first page's OCR holds a name, a CCCD and a phone (twice, spelt two ways);
    detection left rows for the name and the CCCD (the phone was missed)."""
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, file_id, pages=2, type_name="Quyết định", subject="Về việc cấp giấy chứng nhận")
    ocr = _ocr()
    with ctx.db.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == doc_id, Page.page_no == 1)).one()
        stored = store_bytes(session, ctx.store, ocr_page_to_json(ocr).encode("utf-8"),
                             media_type="application/json", kind="ocr")
        page.ocr_object_id, page.width, page.height, page.text = stored.id, 800, 1000, ocr.text
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.text = ocr.text
        rows = {
            "name": PersonalDatum(document_id=doc_id, page_no=1, kind="name", value=NAME,
                                  normalized=normalize_value(PersonalKind.NAME, NAME),
                                  boxes=[[1, *_box(0, 3, 5)]], source="detected", status="masked", confidence=0.91),
            "cccd": PersonalDatum(document_id=doc_id, page_no=1, kind="cccd", value=CCCD, normalized=CCCD,
                                  boxes=[[1, *_box(0, 8, 8)]], source="detected", status="masked", confidence=1.0),
        }
        session.add_all(rows.values())
        session.flush()
        return {"doc": doc_id, "file": file_id, **{k: r.id for k, r in rows.items()}}


@pytest.fixture
def world(ctx: AppContext, staff: dict[str, str]) -> dict[str, int]:
    return _world(ctx)


def _events(ctx: AppContext, action: str, doc_id: int) -> list[dict[str, object]]:
    with ctx.db.session() as session:
        rows = session.scalars(select(Event).where(Event.action == action, Event.entity_id == doc_id)
                               .order_by(Event.id)).all()
        return [{"actor": e.actor, **(e.payload or {})} for e in rows]


def _row(ctx: AppContext, datum_id: int) -> PersonalDatum:
    with ctx.db.session() as session:
        row = session.get(PersonalDatum, datum_id)
        assert row is not None
        session.expunge(row)
        return row


def _flash(response: Response) -> list[str]:
    return re.findall(r'<p class="alert flash (?:notice|error)" role="(?:status|alert)">([^<]*)</p>', response.text)


def _post(client: TestClient, path: str, token: str, **data: object) -> Response:
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_the_panel_lists_the_values_and_the_viewer_outlines_them(ctx: AppContext, client: TestClient,
                                                                world: dict[str, int]) -> None:
    helpers.login(client, "archivist")
    html = client.get(f"/review/{world['doc']}").text
    panel = html[html.index('id="personal-data"'):]
    assert f'data-personal-id="{world["name"]}"' in panel and f'data-personal-id="{world["cccd"]}"' in panel
    assert NAME in panel and CCCD in panel and "họ tên" in panel and "số CCCD" in panel
    assert f'action="/review/{world["doc"]}/personal-data/{world["name"]}/status"' in panel
    assert 'data-masked-count="2"' in panel
    config = json.loads(re.search(r"data-config='([^']*)'", html).group(1).replace("&#39;", "'"))  # type: ignore[union-attr]
    outlines = {s["id"]: s for s in config["personal"]}
    assert outlines[world["name"]] == {"id": world["name"], "status": "masked", "label": "họ tên",
                                       "boxes": [[1, *_box(0, 3, 5)]]}
    # Listing personal data to a member of staff is a view of it: audited.
    assert _events(ctx, "personal.view", world["doc"])[-1]["channel"] == "review"


def test_a_reviewer_shows_a_value_and_masks_it_again(ctx: AppContext, client: TestClient,
                                                     world: dict[str, int]) -> None:
    token = helpers.login(client, "archivist")
    url = f"/review/{world['doc']}/personal-data/{world['name']}/status"
    response = _post(client, url, token, status="shown", reason="Tên cán bộ, không phải công dân")
    assert response.status_code == 303 and response.headers["location"] == f"/review/{world['doc']}#personal-data"
    row = _row(ctx, world["name"])
    assert (row.status, row.decided_by, row.source) == ("shown", "archivist", "detected")
    assert row.decided_at is not None
    unmask = _events(ctx, "personal.unmask", world["doc"])
    assert unmask == [{"actor": "archivist", "datum": world["name"], "kind": "name", "page": 1, "before": "masked",
                       "after": "shown", "reason": "Tên cán bộ, không phải công dân"}]
    page = client.get(f"/review/{world['doc']}")
    assert f"Giá trị số {world['name']} sẽ hiển thị khi công bố" in _flash(page)
    assert 'data-masked-count="1"' in page.text
    _post(client, url, token, status="masked")
    assert _row(ctx, world["name"]).status == "masked"
    assert [e["after"] for e in _events(ctx, "personal.mask", world["doc"])] == ["masked"]
    # Posting the state it already has changes nothing and records nothing.
    _post(client, url, token, status="masked")
    assert len(_events(ctx, "personal.mask", world["doc"])) == 1


def test_a_decision_changes_the_public_masking(ctx: AppContext, client: TestClient, world: dict[str, int]) -> None:
    from sohoa.services.catalogue.personal_masking import masking_for

    def public() -> tuple[str, str]:
        with ctx.db.session() as session:
            doc = session.get(Document, world["doc"])
            assert doc is not None
            masking = masking_for(session, doc, None)
            assert masking is not None
            return masking.fingerprint, masking.text(f"ông {NAME}, CCCD {CCCD}")

    before, text = public()
    assert NAME not in text and CCCD not in text
    token = helpers.login(client, "archivist")
    _post(client, f"/review/{world['doc']}/personal-data/{world['name']}/status", token, status="shown")
    after, text = public()
    assert after != before and NAME in text and CCCD not in text


def test_a_mask_added_by_text_finds_every_occurrence(ctx: AppContext, client: TestClient,
                                                     world: dict[str, int]) -> None:
    token = helpers.login(client, "archivist")
    response = _post(client, f"/review/{world['doc']}/personal-data/text", token, text=PHONE, kind="phone",
                     reason="Số điện thoại của công dân")
    assert response.status_code == 303
    with ctx.db.session() as session:
        row = session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == world["doc"],
                                                          PersonalDatum.kind == "phone")).one()
        assert (row.source, row.status, row.value, row.normalized, row.page_no) == (
            "reviewer", "masked", PHONE, "0912345678", 1)
        # written '0912.345.678,' in one word on line 2, '0912 345 678' in three words on line 3
        assert row.boxes == [[1, *_box(1, 2, 2)], [1, *_box(2, 2, 4)]]
        datum = row.id
    added = _events(ctx, "personal.add", world["doc"])
    assert added == [{"actor": "archivist", "datum": datum, "kind": "phone", "page": 1, "boxes": 2, "by": "text",
                      "reason": "Số điện thoại của công dân", "occurrences": 2}]
    assert f"Đã thêm vùng che số {datum}: 2 vị trí trên các trang" in _flash(client.get(f"/review/{world['doc']}"))
    # The same value again is refused; so is a value the document does not hold, or no reason.
    for data, message in (({"text": "0912-345-678", "kind": "phone", "reason": "x"}, "Giá trị này đã được che"),
                          ({"text": "0987 654 321", "kind": "phone", "reason": "x"},
                           "Không tìm thấy giá trị này trong văn bản"),
                          ({"text": "thôn Đông", "kind": "address", "reason": " "}, "Hãy ghi lý do"),
                          ({"text": "thôn Đông", "kind": "ghost", "reason": "x"}, "Loại dữ liệu cá nhân không hợp lệ"),
                          ({"text": "An", "kind": "name", "reason": "x"},
                           "Giá trị quá ngắn để che theo chữ: hãy vẽ vùng cần che trên trang"),
                          ({"text": "091", "kind": "phone", "reason": "x"},
                           "Giá trị quá ngắn để che theo chữ: hãy vẽ vùng cần che trên trang")):
        response = _post(client, f"/review/{world['doc']}/personal-data/text", token, **data)
        assert response.status_code == 303
        assert _flash(client.get(f"/review/{world['doc']}")) == [message], data
    assert len(_events(ctx, "personal.add", world["doc"])) == 1


def test_a_name_typed_without_tones_masks_the_name_as_written(ctx: AppContext, world: dict[str, int]) -> None:
    with ctx.db.session() as session:
        session.get(PersonalDatum, world["name"]).status = "shown"  # type: ignore[union-attr]
    span = personal_review.add_text_mask(ctx, world["doc"], "nguyen van thuan", "name", actor="archivist",
                                         reason="Công dân")
    # the value was shown: it is masked again (the detected row, not a second one)
    assert span.id == world["name"] and span.status == "masked" and span.boxes == ((1, *_box(0, 3, 5)),)
    with ctx.db.session() as session:
        assert len(session.scalars(select(PersonalDatum).where(PersonalDatum.kind == "name")).all()) == 1


def test_a_mask_added_by_region(ctx: AppContext, client: TestClient, world: dict[str, int]) -> None:
    token = helpers.login(client, "archivist")
    x0, y0, _x1, _y1 = _box(1, 3, 3)
    x1, y1 = _box(1, 7, 7)[2:]
    response = _post(client, f"/review/{world['doc']}/personal-data/region", token, page=1, x0=x1 + 5, y0=y0 - 5,
                     x1=x0 - 5, y1=y1 + 5, kind="address", reason="Địa chỉ thường trú")  # drawn right to left
    assert response.status_code == 303
    with ctx.db.session() as session:
        row = session.scalars(select(PersonalDatum).where(PersonalDatum.kind == "address")).one()
        assert (row.value, row.source, row.page_no) == ("thường trú tại thôn Đông.", "reviewer", 1)
        assert row.boxes == [[1, x0 - 5, y0 - 5, x1 + 5, y1 + 5]]
        datum = row.id
    assert _events(ctx, "personal.add", world["doc"])[0]["region"] == [x0 - 5, y0 - 5, x1 + 5, y1 + 5]
    assert _flash(client.get(f"/review/{world['doc']}")) == [f"Đã thêm vùng che số {datum} trên trang 1"]
    # A region on the blank second page (no words): its pixels are still masked; clamped to the page.
    span = personal_review.add_region_mask(ctx, world["doc"], 2, (500, 700, 9000, 9000), "name",
                                           actor="archivist", reason="Chữ ký tay của công dân")
    assert span.boxes == ((2, 500, 700, 600, 800),) and span.page_no == 2
    for box, message in (((10, 10, 12, 12), "Vùng che quá nhỏ hoặc nằm ngoài trang"),
                         ((900, 10, 990, 50), "Vùng che quá nhỏ hoặc nằm ngoài trang")):
        _post(client, f"/review/{world['doc']}/personal-data/region", token, page=1, x0=box[0], y0=box[1],
              x1=box[2], y1=box[3], kind="name", reason="x")
        assert _flash(client.get(f"/review/{world['doc']}")) == [message]
    _post(client, f"/review/{world['doc']}/personal-data/region", token, page=3, x0=1, y0=1, x1=50, y1=50,
          kind="name", reason="x")
    assert _flash(client.get(f"/review/{world['doc']}")) == ["Văn bản không có trang này"]


def test_a_restricted_value_stays_masked(ctx: AppContext, client: TestClient, world: dict[str, int]) -> None:
    with ctx.db.session() as session:
        session.get(PersonalDatum, world["cccd"]).restricted = True  # type: ignore[union-attr]
    token = helpers.login(client, "archivist")
    html = client.get(f"/review/{world['doc']}").text
    assert "[đã che: số CCCD]" in html[html.index('id="personal-data"'):]  # an archivist does not read it here
    _post(client, f"/review/{world['doc']}/personal-data/{world['cccd']}/status", token, status="shown")
    assert _row(ctx, world["cccd"]).status == "masked"
    assert _flash(client.get(f"/review/{world['doc']}")) == [
        "Dữ liệu này bị hạn chế theo yêu cầu của chủ thể dữ liệu nên luôn được che"]
    helpers.login(client, "admin")
    html = client.get(f"/review/{world['doc']}").text
    assert CCCD in html[html.index('id="personal-data"'):]


def test_other_roles_anonymous_and_forged_posts_are_refused(ctx: AppContext, client: TestClient,
                                                            world: dict[str, int]) -> None:
    doc = world["doc"]
    region = {"page": 1, "x0": 1, "y0": 1, "x1": 90, "y1": 90, "kind": "name", "reason": "x"}
    posts: list[tuple[str, dict[str, object]]] = [
        (f"/review/{doc}/personal-data/{world['name']}/status", {"status": "shown"}),
        (f"/review/{doc}/personal-data/text", {"text": PHONE, "kind": "phone", "reason": "x"}),
        (f"/review/{doc}/personal-data/region", region)]
    for path, data in posts:
        assert _post(client, path, "", **data).status_code == 401  # anonymous: sign in first
    for role in ("qc_inspector", "unit_officer", "unit_clerk", "scan_operator", "coordinator"):
        token = helpers.login(client, role)
        for path, data in posts:
            assert _post(client, path, token, **data).status_code == 403, (role, path)
    helpers.login(client, "archivist")
    for path, data in posts:
        assert client.post(path, data=data, follow_redirects=False).status_code == 403  # no CSRF token
    assert _row(ctx, world["name"]).status == "masked"
    with ctx.db.session() as session:
        assert {r.kind for r in session.scalars(select(PersonalDatum))} == {"name", "cccd"}
    assert _events(ctx, "personal.unmask", doc) == _events(ctx, "personal.add", doc) == []


def test_a_value_of_another_document_or_a_hidden_document(ctx: AppContext, client: TestClient,
                                                          world: dict[str, int]) -> None:
    other = helpers.document(ctx, world["file"], secrecy="Mật")  # độ mật: nobody reads it on the network
    token = helpers.login(client, "archivist")
    response = _post(client, f"/review/{other}/personal-data/{world['name']}/status", token, status="shown")
    assert response.status_code == 404
    plain = helpers.document(ctx, world["file"])
    response = _post(client, f"/review/{plain}/personal-data/{world['name']}/status", token, status="shown")
    assert response.status_code == 404  # the value belongs to another document
    assert _row(ctx, world["name"]).status == "masked"


def test_a_document_without_personal_data(ctx: AppContext, client: TestClient, world: dict[str, int]) -> None:
    plain = helpers.document(ctx, world["file"])
    helpers.login(client, "archivist")
    html = client.get(f"/review/{plain}").text
    assert "Chưa có dữ liệu cá nhân nào được phát hiện trong văn bản này." in html
    assert '<details class="pd-add" id="personal-add" open>' in html
    assert _events(ctx, "personal.view", plain) == []
    client.get("/lang/en")
    assert "No personal data was found in this document." in client.get(f"/review/{plain}").text


def test_the_publication_panel_says_how_many_values_are_masked(ctx: AppContext, client: TestClient,
                                                                 world: dict[str, int]) -> None:
    token = helpers.login(client, "archivist")
    row = f'<tr data-document="{world["doc"]}">'
    html = client.get(f"/arrangement/files/{world['file']}").text
    assert 'data-personal-masked="2"' in html[html.index(row):]
    _post(client, f"/review/{world['doc']}/personal-data/{world['name']}/status", token, status="shown")
    html = client.get(f"/arrangement/files/{world['file']}").text
    assert 'data-personal-masked="1"' in html[html.index(row):]
    with ctx.db.session() as session:  # restricted at a data subject's request: masked whatever was decided
        session.get(PersonalDatum, world["name"]).restricted = True  # type: ignore[union-attr]
    assert personal_review.public_masked(ctx, world["doc"]) == 2


def _extrema(data: bytes, box: list[int], scale: float) -> tuple[int, int]:
    """The darkest and lightest grey inside ``box`` (scan pixels) of a JPEG ``scale`` times the scan's size."""
    with Image.open(io.BytesIO(data)) as image:
        x0, y0, x1, y1 = (round(v * scale) for v in box)
        low, high = image.convert("L").crop((x0 + 2, y0 + 2, x1 - 2, y1 - 2)).getextrema()
        return int(low), int(high)


def test_the_public_preview_masks_text_and_image(ctx: AppContext, client: TestClient, world: dict[str, int]) -> None:
    token = helpers.login(client, "archivist")
    html = client.get(f"/review/{world['doc']}/personal-data/preview").text
    page = html[html.index('data-preview-text="1"'):]
    assert "[đã che: họ tên]" in page and "[đã che: số CCCD]" in page and NAME not in html and CCCD not in html
    assert "0912.345.678" not in page  # the rules catch the phone nobody recorded yet (the safety net)
    assert 'data-masked-count="2"' in html
    first = client.get(f"/review/{world['doc']}/personal-data/preview/1/image")
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    with ctx.db.session() as session:
        size = session.scalars(select(Page).where(Page.document_id == world["doc"], Page.page_no == 1)).one().width
    with Image.open(io.BytesIO(first.content)) as image:
        scale = image.width / size
    assert _extrema(first.content, _box(0, 3, 5), scale)[1] < 60  # the name's box is burned (opaque)
    # The reviewer shows the name: the preview reads it, and its box is no longer burned.
    _post(client, f"/review/{world['doc']}/personal-data/{world['name']}/status", token, status="shown")
    html = client.get(f"/review/{world['doc']}/personal-data/preview").text
    assert NAME in html
    assert CCCD not in html
    second = client.get(f"/review/{world['doc']}/personal-data/preview/1/image")
    assert _extrema(second.content, _box(0, 3, 5), scale)[0] > 200  # white page again
    assert _extrema(second.content, _box(0, 8, 8), scale)[1] < 60  # the CCCD still burned
    assert client.get(f"/review/{world['doc']}/personal-data/preview/9/image").status_code == 404
    helpers.login(client, "qc_inspector")
    assert client.get(f"/review/{world['doc']}/personal-data/preview").status_code == 403


def _found(ctx: AppContext, query: str) -> set[int]:
    with ctx.db.session() as session:
        return {hit.document_id for hit in ctx.index.search(session, query).hits}


def test_decisions_reindex_the_document(ctx: AppContext, client: TestClient, world: dict[str, int]) -> None:
    """The shared index keeps the text as the public reads it: a value shown by the reviewer becomes findable,
    a value masked again (or added) is no longer."""
    with ctx.db.session() as session:
        doc = session.get(Document, world["doc"])
        assert doc is not None
        ctx.index.upsert(session, document_index_doc(doc))  # as ingest left it
    assert world["doc"] not in _found(ctx, "Thuận") and world["doc"] in _found(ctx, "thường trú")
    token = helpers.login(client, "archivist")
    _post(client, f"/review/{world['doc']}/personal-data/{world['name']}/status", token, status="shown")
    assert world["doc"] in _found(ctx, "Thuận")
    _post(client, f"/review/{world['doc']}/personal-data/{world['name']}/status", token, status="masked")
    assert world["doc"] not in _found(ctx, "Thuận")
    _post(client, f"/review/{world['doc']}/personal-data/text", token, text="thường trú tại thôn Đông",
          kind="address", reason="Nơi thường trú của công dân")
    assert world["doc"] not in _found(ctx, "thường trú")


def test_with_the_detector_and_a_rescan(ctx: AppContext, client: TestClient, staff: dict[str, str]) -> None:
    """Rows as ingest records them (detection on the page words, with boxes); a reviewer's decision and added
    mask survive a rescan (``sohoa personal-data scan``)."""
    from sohoa.services.catalogue.personal_data import record_document_personal_data

    world = _world(ctx)
    with ctx.db.session() as session:
        for row in session.scalars(select(PersonalDatum)):
            session.delete(row)
        doc = session.get(Document, world["doc"])
        assert doc is not None
        record_document_personal_data(session, ctx.store, doc)
        found = {(r.kind, r.normalized): r.id for r in session.scalars(select(PersonalDatum))}
    name = found[("name", "nguyen van thuan")]
    assert ("cccd", CCCD) in found and ("phone", "0912345678") in found
    token = helpers.login(client, "archivist")
    html = client.get(f"/review/{world['doc']}").text
    assert f'data-personal-id="{name}"' in html and NAME in html[html.index('id="personal-data"'):]
    _post(client, f"/review/{world['doc']}/personal-data/{name}/status", token, status="shown", reason="Cán bộ")
    _post(client, f"/review/{world['doc']}/personal-data/region", token, page=1, x0=30, y0=90, x1=200, y1=150,
          kind="name", reason="Chữ ký tay")
    with ctx.db.session() as session:
        doc = session.get(Document, world["doc"])
        assert doc is not None
        record_document_personal_data(session, ctx.store, doc)
    with ctx.db.session() as session:
        rows = list(session.scalars(select(PersonalDatum)))
        assert [r.status for r in rows if r.id == name] == ["shown"]
        assert [r.boxes for r in rows if r.source == "reviewer"] == [[[1, 30, 90, 200, 150]]]


def test_the_service_on_sqlite_and_postgres(any_ctx: AppContext) -> None:
    ctx = any_ctx
    world = _world(ctx)
    doc = world["doc"]
    shown = personal_review.set_status(ctx, doc, world["name"], "shown", actor="archivist", reason="Cán bộ")
    assert (shown.status, shown.decided_by) == ("shown", "archivist")
    phone = personal_review.add_text_mask(ctx, doc, PHONE, "phone", actor="archivist", reason="Công dân")
    region = personal_review.add_region_mask(ctx, doc, 1, (30, 90, 200, 150), "name", actor="archivist",
                                             reason="Chữ ký tay")
    spans = personal_review.review_spans(ctx, doc)
    assert [(s.id, s.status, s.source) for s in spans] == [
        (world["name"], "shown", "detected"), (world["cccd"], "masked", "detected"), (phone.id, "masked", "reviewer"),
        (region.id, "masked", "reviewer")]
    assert personal_review.public_masked(ctx, doc) == 3
    assert [e["kind"] for e in _events(ctx, "personal.add", doc)] == ["phone", "name"]
    assert len(_events(ctx, "personal.unmask", doc)) == 1 and len(_events(ctx, "personal.view", doc)) == 1
