"""Access-change warnings speak the reader's language: one language a line, never "Vietnamese / English" glued
together (the arrangement file page's confirmation and /admin/access); a grant names its level and its end day."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.services.identity.access_changes import AccessWarning, preview_file_access
from sohoa.services.platform.context import AppContext
from tests.shared._portal_helpers import login, staff
from tests.web.test_publication import FILE_CODE, _form, _shelf


def _warnings(html: str) -> list[str]:
    """The text of each warning the page shows (the confirmation's list and /admin/access's notices)."""
    listed = re.search(r'<ul class="alert warning" role="alert">(.*?)</ul>', html, flags=re.S)
    items = re.findall(r"<li>(.*?)</li>", listed.group(1), flags=re.S) if listed else []
    return items + re.findall(r'<p class="alert notice warning" role="status">(.*?)</p>', html, flags=re.S)


def test_a_preview_gives_each_warning_in_each_language(ctx: AppContext) -> None:
    staff(ctx)
    shelf = _shelf(ctx, states=("accepted", "review"))
    preview = preview_file_access(ctx, shelf.file_id, "public", role="admin")
    assert preview.warnings and all(isinstance(w, AccessWarning) for w in preview.warnings)
    widening = preview.warnings[0]
    assert widening.vi == "Mở rộng quyền truy cập (Nội bộ → Công khai): 2 văn bản sẽ hiển thị cho nhiều người hơn"
    assert widening.en == "Widening access (Internal → Public): 2 documents become visible to more people"
    assert widening.text("en") == widening.en and widening.text("vi") == widening.vi
    assert "1 reviewed document will appear on the citizen portal" in preview.warnings[1].en
    assert "1 document not reviewed, sent back, merged or superseded stays hidden" in preview.warnings[2].en


def test_the_arrangement_confirmation_reads_in_one_language(ctx: AppContext) -> None:
    staff(ctx)
    shelf = _shelf(ctx, states=("accepted", "review"))
    client = TestClient(create_app(ctx, watch_hot_folders=False))
    token = login(client, "s_archivist")
    vietnamese = _warnings(
        client.post(f"/arrangement/files/{shelf.file_id}", data=_form(ctx, shelf.file_id, token, "public")).text
    )
    assert vietnamese[0].startswith("Mở rộng quyền truy cập (Nội bộ → Công khai)")
    assert len(vietnamese) == 3 and not any(" / " in w or "documents" in w or "portal" in w for w in vietnamese)
    client.get("/lang/en")
    english = _warnings(client.get(f"/arrangement/files/{shelf.file_id}", params={"publish": "1"}).text)
    assert english[0] == "Widening access (Internal → Public): 2 documents become visible to more people"
    assert len(english) == 3 and not any("văn bản" in w or "cổng" in w for w in english)


def test_a_grant_on_admin_access_names_the_level_and_the_day(ctx: AppContext) -> None:
    staff(ctx)
    _shelf(ctx, states=("accepted",))
    admin = TestClient(create_app(ctx, watch_hot_folders=False))
    token = login(admin, "s_admin")
    form = {"csrf_token": token, "file_id": FILE_CODE, "username": "s_unit_officer", "days": "7", "reason": "tra cứu"}
    until = date.today() + timedelta(days=7)
    days = {until.strftime("%d/%m/%Y"), (until + timedelta(days=1)).strftime("%d/%m/%Y")}  # the UTC day may differ
    [vietnamese] = _warnings(admin.post("/admin/access/grants", data=form).text)
    assert vietnamese.startswith(f"s_unit_officer được xem hồ sơ {FILE_CODE} (Nội bộ) đến hết ngày ")
    assert vietnamese.rsplit(" ", 1)[1] in days and "internal" not in vietnamese and "/ s_unit" not in vietnamese
    admin.get("/lang/en")
    [english] = _warnings(admin.post("/admin/access/grants", data=form).text)
    assert english.startswith(f"s_unit_officer may read file {FILE_CODE} (Internal) until ")
    assert english.rsplit(" ", 1)[1] in days and "được" not in english
