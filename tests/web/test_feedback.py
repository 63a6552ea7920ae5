"""Feedback after every action: a flash message on the next page (once, role=status or role=alert), the
review approval saying where it moved you, and normal error pages for people (JSON stays for the API)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from sohoa.services.platform.context import AppContext

from . import _helpers as helpers


def _flash(response: Response) -> list[tuple[str, str]]:
    """The flash messages of a page: (role, text)."""
    return [(role, text) for _kind, role, text in
            re.findall(r'<p class="alert flash (notice|error)" role="(status|alert)">([^<]*)</p>', response.text)]


def _post(client: TestClient, path: str, token: str, **data: object) -> Response:
    return client.post(path, data={"csrf_token": token, **data})


def test_intake_actions_say_what_they_did_once(ctx: AppContext, client: TestClient) -> None:
    unit_id = helpers.unit(ctx)
    token = helpers.login(client, "archivist")
    created = _post(client, "/intake/accessions", token, unit_id=unit_id, title="Tài liệu 2020")
    assert created.status_code == 200 and "/intake/accessions/" in str(created.url)
    [(role, text)] = _flash(created)
    assert role == "status" and re.fullmatch(r"Đã tạo đợt giao nộp \S+", text)
    assert _flash(client.get(str(created.url))) == []  # shown once
    path = created.url.path
    box = _post(client, f"{path}/boxes", token, number="H01", location="Kệ 3")
    assert _flash(box) == [("status", "Đã ghi hộp số H01")]
    received = _post(client, f"{path}/receipts", token, notation="01.VP", sheets="2", box_number="H01")
    assert _flash(received) == [("status", "Đã ghi nhận hồ sơ 01.VP")]
    handover = _post(client, f"{path}/handover", token, receiver_name="Nguyễn Thị C")
    assert handover.url.path == path and _flash(handover) == [("status", "Đã lưu biên bản giao nhận")]
    client.get("/lang/en")
    box = _post(client, f"{path}/boxes", token, number="H02")
    assert _flash(box) == [("status", "Box H02 recorded")]


def test_approving_names_the_document_and_where_it_moved_you(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    first = helpers.document(ctx, file_id, type_name="Quyết định", code_number="15", code_notation="QĐ-UBND",
                             subject="Về việc thử")
    second = helpers.document(ctx, file_id, type_name="Công văn", subject="Về việc khác")
    token = helpers.login(client, "archivist")
    approved = _post(client, f"/review/{first}", token, action="approve", type_name="Quyết định")
    assert approved.url.path == f"/review/{second}"
    assert _flash(approved) == [("status", f"Đã duyệt văn bản #{first} Quyết định 15/QĐ-UBND. "
                                           f"Đang mở văn bản tiếp theo trong hàng đợi: #{second}.")]
    last = _post(client, f"/review/{second}", token, action="approve", type_name="Công văn")
    assert last.url.path == "/review"
    assert _flash(last) == [("status", f"Đã duyệt văn bản #{second} Công văn. Hàng đợi kiểm duyệt đã hết.")]
    assert _flash(client.get("/review")) == []


def test_merge_split_and_qc_decisions_confirm(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    keep = helpers.document(ctx, file_id, pages=2)
    gone = helpers.document(ctx, file_id, pages=1)
    token = helpers.login(client, "archivist")
    merged = _post(client, f"/review/{keep}/merge", token, other_id=gone)
    assert merged.url.path == f"/review/{keep}"
    assert _flash(merged) == [("status", f"Đã gộp các trang của văn bản #{gone} vào văn bản #{keep}")]
    split = _post(client, f"/review/{keep}/split", token, at_page=3)
    [(role, text)] = _flash(split)
    assert role == "status" and text.startswith("Đã tách từ trang 3 thành văn bản mới #")

    inspected = helpers.document(ctx, file_id, state="qc")
    rejected = helpers.document(ctx, file_id, state="qc")
    token = helpers.login(client, "qc_inspector")
    accepted = _post(client, f"/qc/documents/{inspected}", token, decision="accept")
    assert accepted.url.path == "/qc"
    assert _flash(accepted) == [("status", f"Văn bản #{inspected} đạt kiểm tra chất lượng")]
    back = _post(client, f"/qc/documents/{rejected}", token, decision="reject", defects="D01", comment="Mờ")
    assert _flash(back) == [("status", f"Văn bản #{rejected} không đạt: đã trả về khâu số hóa để quét lại")]


def test_access_changes_and_admin_actions_confirm(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    helpers.document(ctx, file_id, state="accepted")
    token = helpers.login(client, "admin")
    changed = _post(client, "/admin/access/level", token, file_id=str(file_id), level="public",
                    reason="Hết hạn hạn chế")
    assert changed.status_code == 200
    assert re.search(r'role="status" id="access-result">Đã đổi mức độ tiếp cận', changed.text)
    created = _post(client, "/admin/users", token, username="moi", password="mat-khau-dai-hon-12", role="archivist")
    assert created.url.path == "/admin" and _flash(created) == [("status", "Đã tạo tài khoản moi")]
    fonds = _post(client, "/arrangement/fonds", token, code="P01", name="Phông UBND")
    assert _flash(fonds) == [("status", "Đã tạo phông P01")]


def test_printing_labels_with_nothing_selected_is_a_page_not_json(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    for kind in ("labels", "separators"):
        answer = _post(client, "/arrangement/files/print", token, kind=kind)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
        assert answer.url.path == "/arrangement"
        [(role, text)] = _flash(answer)
        assert role == "alert" and text.startswith("Chưa chọn hồ sơ nào")
    nothing = _post(client, "/arrangement/files/assign", token, fonds_id=1)
    assert _flash(nothing)[0][0] == "alert"


def test_people_get_the_error_page_and_programs_keep_json(client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    missing = client.get("/khong-co-trang-nay")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert 'role="alert">Không tìm thấy trang</p>' in missing.text and 'href="/"' in missing.text
    bad_form = _post(client, "/intake/accessions", token, unit_id="1")  # no title: the form itself is malformed
    assert bad_form.status_code == 422 and bad_form.headers["content-type"].startswith("text/html")
    assert "Biểu mẫu gửi lên thiếu hoặc sai dữ liệu" in bad_form.text
    client.get("/lang/en")
    assert "Page not found" in client.get("/khong-co-trang-nay").text

    api = client.get("/api/v1/khong-co")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    fetch = client.post("/intake/accessions", data={"csrf_token": token},
                        headers={"accept": "application/json"})
    assert fetch.status_code == 422 and isinstance(fetch.json()["detail"], list)
