"""In Chromium, an archivist finds a citizen's records through the menu by typing the name without tone marks,
opens a document found, then records the citizen's data subject request, restricts one value found and answers
the request — by clicking and typing only (issue #16, done-when: staff entity search browser-tested)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sohoa.db.models import Event, PersonalDatum, SubjectRequest
from sohoa.services.platform.context import AppContext

from ._personal_world import NAME, build_personal_world
from .test_browser import Session, browser, server

__all__ = ["browser", "server"]  # the fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_archivist_searches_a_name_without_tones_and_handles_a_request(
        server: tuple[str, AppContext], browser: object) -> None:
    base, ctx = server
    world = build_personal_world(ctx, role_users=False)
    land = world.docs["land"]

    archivist = Session(browser, base, "archivist")
    page = archivist.page
    archivist.go("/")
    page.click("nav >> text=Dữ liệu cá nhân")
    page.wait_for_url(f"{base}/staff/personal-data")
    page.fill("#f-q", "nguyen van thuan")
    page.fill("#f-purpose", "Giải quyết thủ tục cấp đổi giấy chứng nhận")
    page.click("#personal-search button[type=submit]")
    page.wait_for_selector("#people")
    people = page.inner_text("#people")
    assert NAME in people and "Nguyễn Văn Thuần" in people and "Xã Thử Cũ" in people
    assert page.locator(f'#people a[href="/documents/{world.docs["secret"]}"]').count() == 0  # độ mật
    page.click(f'#people a[href="/documents/{land}"] >> nth=0')
    page.wait_for_url(f"{base}/documents/{land}")
    assert "Về việc giao đất ở cho hộ gia đình" in page.inner_text("main")

    archivist.go("/staff/personal-data")
    page.click("text=Yêu cầu của chủ thể dữ liệu")
    page.wait_for_url(f"{base}/staff/personal-data/requests")
    page.select_option("#f-request_kind", "restriction")
    page.fill("#f-subject_name", NAME)
    page.fill("#f-subject_id_number", "001085012345")
    page.fill("#f-requester", NAME)
    page.fill("#f-contact", "thuan@example.vn")
    page.click("#new-request button[type=submit]")
    page.wait_for_url(f"{base}/staff/personal-data/requests/YC-*")
    code = page.url.rsplit("/", 1)[1]
    assert f"Đã ghi nhận yêu cầu {code}" in page.inner_text("main")

    row = page.locator("#found tbody tr", has_text=f"họ tên: {NAME}").filter(
        has=page.locator(f'a[href="/documents/{land}"]'))
    assert row.count() == 1
    row.locator("button", has_text="Thêm vào kết quả").click()
    page.wait_for_url(f"{base}/staff/personal-data/requests/{code}#items")
    row = page.locator("#found tbody tr", has_text=f"họ tên: {NAME}").filter(
        has=page.locator(f'a[href="/documents/{land}"]'))
    row.locator("summary").click()
    row.locator("input[name=note]").fill("Chủ thể đề nghị hạn chế")
    row.locator("button", has_text="Hạn chế xử lý").click()
    page.wait_for_url(f"{base}/staff/personal-data/requests/{code}#items")
    items = page.inner_text("#items")
    assert "Tìm thấy" in items and "Hạn chế xử lý" in items and "Chủ thể đề nghị hạn chế" in items

    page.fill("#f-answer", "Đã hạn chế xử lý họ tên trong quyết định số 12/QĐ-UBND.")
    page.click("#answer button[value=answered]")
    page.wait_for_url(f"{base}/staff/personal-data/requests/{code}")
    assert page.inner_text("#request-status") == "Đã trả lời"
    assert page.locator("#answer").count() == 0
    archivist.close()

    with ctx.db.session() as session:
        datum = session.get(PersonalDatum, world.data["land_name"])
        assert datum is not None and datum.restricted
        request = session.execute(select(SubjectRequest).where(SubjectRequest.code == code)).scalar_one()
        assert request.status == "answered" and request.handled_by == "archivist"
        actions = [a for (a,) in session.execute(select(Event.action).where(Event.actor == "archivist")
                                                 .order_by(Event.id)).all()]
    assert "personal.search" in actions and "subject_request.create" in actions
    assert actions.count("subject_request.item") == 2 and "subject_request.answer" in actions
