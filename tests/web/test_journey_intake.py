"""An intake officer's journey in Chromium: nothing about an inventory changes without being seen first.

Download the template, validate a file with errors (nothing imported), download the error report, import,
then re-import a changed inventory and see the files it adds, changes and removes before confirming.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake

from . import _helpers as helpers
from .test_browser import Session, browser, server
from .test_intake import GOOD, with_errors

__all__ = ["browser", "server"]  # the fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHANGED = [
    [1, "01.VP", "Hồ sơ hội nghị tổng kết năm 2019 (bổ sung)", "2019", "Vĩnh viễn", 14, 28, ""],
    [3, "03.TCCB", "Hồ sơ cán bộ", "2020", "70 năm", 8, 16, "Bản chính"],
    [4, "04.VP", "Hồ sơ thi đua khen thưởng", "2021", "20 năm", 5, 10, ""],
]


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# Runs axe on the page; a function, not a bare expression (Playwright would eval it).
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help)"""


def _axe(page: Any) -> list[str]:
    """Serious or critical accessibility problems of the page as it is (axe-core, vendored)."""
    page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate(RUN_AXE)
    return found


class _Pages:
    """A browser context offered to ``Session`` as a browser (its viewport set on the context)."""

    def __init__(self, context: Any) -> None:
        self.context = context

    def new_page(self, **_options: object) -> Any:
        return self.context.new_page()


def _download(officer: Session, selector: str, path: Path) -> Path:
    with officer.page.expect_download() as info:
        officer.page.click(selector)
    info.value.save_as(path)
    return path


def _fill(template: Path, rows: list[list[object]], out: Path) -> Path:
    """The downloaded template filled in: one file a row, under its header."""
    book = load_workbook(template)
    for row in rows:
        book.worksheets[0].append(row)
    book.save(out)
    return out


def _split(rows: list[list[object]]) -> list[list[object]]:
    """Rows in the "Số tờ/Số trang" shape of the intake tests, in the template's two columns."""
    return [[*row[:5], *str(row[5]).split("/"), row[6]] for row in rows]


def test_officer_checks_imports_and_confirms_a_reimport(
    server: tuple[str, AppContext], browser: object, tmp_path: Path
) -> None:
    base, ctx = server
    acc = intake.create_accession(ctx, helpers.unit(ctx), "Tài liệu hành chính 2018-2020", actor="admin")
    officer = Session(browser, base, "archivist")
    page = officer.page
    officer.go(f"/intake/accessions/{acc.id}")

    template = _download(officer, "a[href='/intake/inventory-template.xlsx']", tmp_path / "mau.xlsx")
    assert load_workbook(template).worksheets[0].freeze_panes == "A2"

    # Validate only: the report, nothing registered, a spreadsheet of the errors to fix.
    page.set_input_files("#f-inventory", str(_fill(template, _split(with_errors()), tmp_path / "loi.xlsx")))
    page.click("button[value=validate]")
    report = page.inner_text("#report")
    assert "4 dòng lỗi" in report and "Chỉ kiểm tra, chưa nhập" in report
    assert "Trùng số, ký hiệu hồ sơ với dòng" in page.inner_text("table.report")
    assert intake.inventory_files(ctx, acc.id) == [] and intake.latest_upload(ctx, acc.id) is None
    officer.shot("intake-validate")
    errors = load_workbook(_download(officer, "a[href$='/report.xlsx']", tmp_path / "bao-cao.xlsx")).worksheets[0]
    assert errors.freeze_panes == "A2" and errors.cell(1, errors.max_column).value == "Lỗi (Errors)"
    assert "Thời hạn bảo quản phải là" in "".join(str(c.value or "") for c in errors[5])

    # Import the corrected inventory: registered, with a confirmation line.
    page.set_input_files("#f-inventory", str(_fill(template, _split(GOOD), tmp_path / "dung.xlsx")))
    page.click("button[value=import]")
    assert "Mục lục hợp lệ, đã đăng ký 3 hồ sơ" in page.inner_text("main p.flash[role=status]")
    assert len(intake.inventory_files(ctx, acc.id)) == 3

    # The two new screens (a validate-only report, a re-import's list) pass axe: a second browser context of
    # the same officer, allowed to load axe despite the page's Content-Security-Policy, changes nothing.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    checker = Session(_Pages(context), base, "archivist")
    checker.go(f"/intake/accessions/{acc.id}")
    checker.page.set_input_files("#f-inventory", str(tmp_path / "loi.xlsx"))
    checker.page.click("button[value=validate]")
    assert "Chỉ kiểm tra, chưa nhập" in checker.page.inner_text("#report") and _axe(checker.page) == []
    checker.page.set_input_files("#f-inventory", str(_fill(template, CHANGED, tmp_path / "moi.xlsx")))
    checker.page.click("button[value=import]")
    assert checker.page.locator("#reimport").count() == 1 and _axe(checker.page) == []
    checker.close()
    context.close()

    # Re-import a changed inventory: the list of changes first, nothing changed until "Xác nhận".
    page.set_input_files("#f-inventory", str(_fill(template, CHANGED, tmp_path / "moi.xlsx")))
    page.click("button[value=import]")
    assert "04.VP" in page.inner_text("#diff-added")
    changed = page.inner_text("#diff-changed")
    assert "01.VP" in changed and "Tiêu đề hồ sơ" in changed and "(bổ sung)" in changed and "03.TCCB" not in changed
    assert "02.VP" in page.inner_text("#diff-removed")
    assert sorted(f.file_notation for f in intake.inventory_files(ctx, acc.id)) == ["01.VP", "02.VP", "03.TCCB"]
    page.locator("#reimport").scroll_into_view_if_needed()
    officer.shot("intake-reimport-confirm")
    page.click("#reimport button[type=submit]")
    assert "thêm 1, sửa 1, bỏ 1 hồ sơ" in page.inner_text("main p.flash[role=status]")
    files = {f.file_notation: f for f in intake.inventory_files(ctx, acc.id)}
    assert sorted(files) == ["01.VP", "03.TCCB", "04.VP"] and files["01.VP"].sheet_total == 14
    officer.close()
