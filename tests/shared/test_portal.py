"""Citizen portal over HTTP: public search only, copy requests, staff approval (signed PDF) or refusal;
the admin audit viewer and access changes with warnings."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext

from ._portal_helpers import attach_pdf, check_signed_copy, csrf, login, staff
from .world import LEVELS, RELATIONS, World


def _client(ctx: AppContext) -> TestClient:
    return TestClient(create_app(ctx, watch_hot_folders=False))


def test_portal_shows_public_records_only(ctx: AppContext, fresh_world: World) -> None:
    client = _client(ctx)
    page = client.get("/portal", params={"q": "hòa giải"})
    assert page.status_code == 200
    assert f'id="result-count">{len(RELATIONS)} ' in page.text
    for relation in RELATIONS:
        for level in LEVELS:
            status = client.get(f"/portal/documents/{fresh_world.docs[(relation, level)]}").status_code
            assert status == (200 if level == "public" else 404)


def _request_copy(client: TestClient, doc_id: int, name: str) -> str:
    token = csrf(client, f"/portal/documents/{doc_id}")
    sent = client.post(f"/portal/documents/{doc_id}/copy", data={
        "csrf_token": token, "name": name, "id_number": "001090012345", "email": "an@example.vn",
        "purpose": "Bổ sung hồ sơ đất đai"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text[:300]
    return str(sent.headers["location"])


def test_copy_request_approved_and_signed(ctx: AppContext, fresh_world: World, tmp_path: Path) -> None:
    staff(ctx)
    doc_id = fresh_world.docs[("own", "public")]
    attach_pdf(ctx, doc_id)
    citizen = _client(ctx)
    status_url = _request_copy(citizen, doc_id, "Nguyễn Văn An")
    assert 'data-state="pending"' in citizen.get(status_url).text
    officer = _client(ctx)
    login(officer, "s_unit_officer")
    assert officer.get("/staff/copies").status_code == 403
    reviewer = _client(ctx)
    token = login(reviewer, "s_archivist")
    listing = reviewer.get("/staff/copies").text
    assert "Nguyễn Văn An" in listing
    request_id = int(listing.split('id="request-')[1].split('"')[0])
    done = reviewer.post(f"/staff/copies/{request_id}/approve", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert 'data-state="approved"' in citizen.get(status_url).text
    pdf = citizen.get(status_url + "/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    check_signed_copy(ctx, pdf.content)
    (tmp_path / "copy.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "copy.pdf"), "-"], capture_output=True, text=True).stdout
    assert "BẢN SAO" in text and "SAO Y" in text and "+07:00" in text and "Nguyễn Văn An" in text


def test_copy_request_refused_with_reason(ctx: AppContext, fresh_world: World) -> None:
    staff(ctx)
    doc_id = fresh_world.docs[("unrelated", "public")]
    citizen = _client(ctx)
    status_url = _request_copy(citizen, doc_id, "Trần Thị Bình")
    assert citizen.get(status_url + "/pdf").status_code == 404
    reviewer = _client(ctx)
    token = login(reviewer, "s_archivist")
    request_id = int(reviewer.get("/staff/copies").text.split('id="request-')[1].split('"')[0])
    empty = reviewer.post(f"/staff/copies/{request_id}/refuse", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 400
    refused = reviewer.post(f"/staff/copies/{request_id}/refuse",
                            data={"csrf_token": token, "reason": "Thiếu giấy ủy quyền"})
    code = status_url.rsplit("/", 1)[-1]
    assert f'role="status">Đã từ chối yêu cầu bản sao {code}</p>' in refused.text  # said once, as a flash
    assert "Đã từ chối" not in reviewer.get("/staff/copies").text
    page = citizen.get(status_url).text
    assert 'data-state="refused"' in page and "Thiếu giấy ủy quyền" in page
    bad = citizen.post(f"/portal/documents/{fresh_world.docs[('own', 'internal')]}/copy",
                       data={"csrf_token": csrf(citizen, "/portal"), "name": "X Y", "id_number": "001090012345"})
    assert bad.status_code == 404  # no copies of what the public may not read


def test_audit_viewer_and_access_changes(ctx: AppContext, fresh_world: World) -> None:
    staff(ctx)
    archivist = _client(ctx)
    login(archivist, "s_archivist")
    assert archivist.get("/admin/audit").status_code == 403
    admin = _client(ctx)
    token = login(admin, "s_admin")
    admin.get("/portal", params={"q": "mkownpublic"})
    page = admin.get("/admin/audit", params={"action": "search"})
    assert page.status_code == 200 and "mkownpublic" in page.text and 'data-ok="true"' in page.text
    export = admin.get("/admin/audit/export", params={"format": "csv", "action": "search"})
    assert export.status_code == 200 and "mkownpublic" in export.content.decode("utf-8-sig")
    file_id = fresh_world.files[("unrelated", "internal")]
    widened = admin.post("/admin/access/level", data={"csrf_token": token, "file_id": file_id, "level": "public",
                                                       "reason": "QĐ 12/QĐ-TTLT"})
    assert "Mở rộng quyền truy cập" in widened.text and "cổng công dân" in widened.text
    assert _client(ctx).get(f"/portal/documents/{fresh_world.docs[('unrelated', 'internal')]}").status_code == 200
    granted = admin.post("/admin/access/grants", data={"csrf_token": token, "file_id": fresh_world.files[
        ("unrelated", "conditional")], "username": "s_unit_officer", "days": 7, "reason": "Xác minh"})
    assert "s_unit_officer" in granted.text and granted.status_code == 200
    actions = admin.get("/admin/audit", params={"entity_type": "file_unit"}).text
    assert "grant.create" in actions and "access.change" in actions
