"""Role journeys in Chromium for the roles test_journey_roles.py leaves out, from the same world (a fresh
``sohoa demo``): the QC inspector works a sampled queue from the menu — rejects one document with a defect code,
which the scan operator then finds in the rework list under that code's name, and passes another; the unit clerk
sees only their own unit's accessions, creates one for it, and gets an HTML error page for another unit's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from sohoa.db.models import Accession, Unit
from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake, qc

from . import _helpers as helpers
from .test_browser import capture
from .test_journey_roles import Live, _live, _menu_count, _walker

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live(tmp_path: Any) -> Iterator[Live]:
    yield from _live(tmp_path, copy_request=False)


def _flash(page: Any) -> str:
    """The confirmation the last action left on the page (the flash message under the menu)."""
    flashes = page.locator("main .alert.flash")
    assert flashes.count() == 1, "no confirmation shown"
    return str(flashes.inner_text())


def test_a_qc_inspector_rejects_with_a_defect_code_and_passes_another(live: Live) -> None:
    ctx, world = live.ctx, live.world
    qc.create_plan(ctx, "Lấy mẫu toàn bộ", 1.0, actor="coordinator")  # an active plan: every reviewed one is sampled
    second = helpers.document(
        ctx,
        world.waiting_file,
        state="qc",
        type_name="Công văn",
        code_number="18",
        code_notation="UBND-VP",
        issued_date=date(2020, 7, 1),
        subject="Về việc rà soát hồ sơ lưu trữ",
    )
    rejected = world.docs["qc"]

    inspector = _walker(live, "qc_inspector")
    waiting = _menu_count(inspector.page, "/qc")
    assert waiting == 2
    inspector.click("header nav a[href='/qc']")
    assert inspector.path == "/qc"
    assert inspector.page.locator("#no-plan").count() == 0  # a plan samples: no "passes everything" notice
    assert inspector.page.locator("table.queue tbody a[href^='/qc/documents/']").count() == waiting
    assert (
        inspector.page.locator(f"table.queue tbody tr:has(a[href='/qc/documents/{second}'])")
        .inner_text()
        .count("Công văn")
        == 1
    )  # the type, named

    inspector.click(f"table.queue tbody a[href='/qc/documents/{rejected}']")
    assert inspector.path == f"/qc/documents/{rejected}"
    inspector.page.check("input[name=defects][value=D01]")
    inspector.page.fill("#f-comment", "Trang 1 mờ, cần quét lại ở 300 dpi")
    capture(inspector.page, "qc-reject")
    inspector.click("button[value=reject]")
    assert inspector.path == "/qc"
    assert f"Văn bản #{rejected} không đạt: đã trả về khâu số hóa để quét lại" in _flash(inspector.page)
    assert _menu_count(inspector.page, "/qc") == waiting - 1
    assert inspector.page.locator(f"table.queue tbody a[href='/qc/documents/{rejected}']").count() == 0

    inspector.click(f"table.queue tbody a[href='/qc/documents/{second}']")
    inspector.click("button[value=accept]")
    assert f"Văn bản #{second} đạt kiểm tra chất lượng" in _flash(inspector.page)
    assert _menu_count(inspector.page, "/qc") == 0
    inspector.page.close()

    operator = _walker(live, "scan_operator")
    operator.click("header nav a[href='/scanning']")
    row = operator.page.locator(f"#rework tr[data-doc='{rejected}']")
    assert row.count() == 1
    defects = row.locator("td.defects").inner_text()
    assert "D01" in defects and "Ảnh mờ, không rõ chữ" in defects  # the code and its name
    assert "Trang 1 mờ" in row.inner_text() and row.locator("a.button[href*='redo=']").count() == 1
    assert operator.page.locator(f"#rework tr[data-doc='{second}']").count() == 0  # the passed one is done
    operator.page.close()


def _other_units_accession(ctx: AppContext) -> tuple[int, str]:
    """An accession of a unit that is not the clerk's (a Hà Nội unit of the world)."""
    own = helpers.unit(ctx)
    with ctx.db.session() as session:
        other = session.execute(select(Unit.id).where(Unit.id != own).order_by(Unit.id).limit(1)).scalar_one()
    acc = intake.create_accession(ctx, other, "Đợt giao nộp của đơn vị khác", actor="admin")
    return acc.id, acc.code


def test_a_unit_clerk_works_only_on_the_own_units_accessions(live: Live) -> None:
    ctx, world = live.ctx, live.world
    other_id, other_code = _other_units_accession(ctx)
    with ctx.db.session() as session:
        own_code = session.execute(select(Accession.code).where(Accession.id == world.accession_id)).scalar_one()

    clerk = _walker(live, "unit_clerk")
    nav = clerk.page.inner_text("header nav")
    assert "Tiếp nhận" in nav and "Hồ sơ của đơn vị" in nav and "Kiểm duyệt" not in nav
    capture(clerk.page, "unit-clerk-home")
    clerk.click("header nav a[href='/intake']")
    listed = clerk.page.inner_text("main table")
    assert own_code in listed and other_code not in listed  # only the own unit's accessions
    options = clerk.page.locator("#f-unit option")
    assert options.count() == 1 and "UBND phường Thử" in options.inner_text()  # the unit is fixed
    assert clerk.page.locator("input[data-picker=units]").count() == 0  # no picker of every unit

    clerk.page.fill("#f-title", "Đợt giao nộp năm 2026 của phường")
    clerk.click("main form[action='/intake/accessions'] button[type=submit]")
    assert clerk.path.startswith("/intake/accessions/")
    assert "Đã tạo đợt giao nộp" in _flash(clerk.page)
    created = int(clerk.path.rsplit("/", 1)[1])
    with ctx.db.session() as session:
        acc = session.get(Accession, created)
        assert acc is not None and acc.unit_id == helpers.unit(ctx) and acc.title == "Đợt giao nộp năm 2026 của phường"

    answer = clerk.page.goto(f"{live.base}/intake/accessions/{other_id}")  # a link passed on from elsewhere
    assert answer is not None and answer.status in (403, 404)
    assert "text/html" in answer.headers["content-type"]  # a page, not JSON
    assert clerk.page.locator("main").count() == 1 and other_code not in clerk.page.inner_text("main")
    assert "Đợt giao nộp của đơn vị khác" not in clerk.page.content()
    clerk.click("main a[href='/']")  # a way back
    assert clerk.path == "/"
    clerk.page.close()
