"""A scan operator's journey in Chromium (#17 item 6): two page images uploaded as one document, followed to
that document; a document QC rejected shows in rework with its defect code, and its redo rescans it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.app import create_app
from sohoa.db.models import Document, FileUnit
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production import qc
from sohoa.settings import Settings
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from .test_browser import Session, browser
from .test_scanning_groups import page_png

__all__ = ["browser"]  # the fixture, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _pages(folder: Path, names: dict[str, int]) -> list[str]:
    paths = []
    for name, mark in names.items():
        (folder / name).write_bytes(page_png(mark))
        paths.append(str(folder / name))
    return paths


def test_operator_groups_pages_into_one_document_and_redoes_a_rejected_one(browser: object, tmp_path: Path) -> None:
    ctx: AppContext = open_context(Settings(data=tmp_path / "data", workers=1))
    helpers.users(ctx)
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    with ctx.db.session() as session:
        code = session.get(FileUnit, file_id).file_code
    app = create_app(ctx, scan_ingest=helpers.fake_ingest, watch_hot_folders=False)
    with serve(app) as base:
        operator = Session(browser, base, "scan_operator")
        page = operator.page
        operator.go("/scanning")
        assert "Trang thành văn bản như thế nào?" in page.inner_text("#how-pages")
        page.locator("#scan-file").type(code)  # the hồ sơ is picked by its code, not from a select of every file
        page.wait_for_selector("#scan-file-list li[role=option]")
        page.locator("#scan-file-list li[role=option]", has_text=code).first.click()
        assert page.input_value("#scan-file").startswith(f"{code} — ")
        assert page.input_value("#scan-file-id") == str(file_id)
        page.check("input[name=scan-mode][value=one]")
        # Chosen in the "wrong" order: the pages follow the file names (trang 2 before trang 10).
        page.set_input_files("#scan-input", _pages(tmp_path, {"ke-hoach-trang-10.png": 1, "ke-hoach-trang-2.png": 2}))
        page.wait_for_function(
            "() => document.querySelectorAll('#uploads td.state[data-state=done]').length === 2", timeout=180_000
        )
        links = page.locator("#uploads td.docs a")
        assert links.count() == 2 and links.nth(0).get_attribute("href") == links.nth(1).get_attribute("href")
        assert "gộp một văn bản" in page.inner_text("#uploads")
        page.click("#how-pages summary")  # folded: the choice and the finished rows fit the screenshot
        page.locator("#uploads tbody").scroll_into_view_if_needed()
        operator.shot("scanning-group")
        target = str(links.nth(0).get_attribute("href"))
        links.nth(0).click()
        page.wait_for_url(base + target)
        assert page.locator(".pv-thumbs li").count() == 2  # one document, both pages
        doc_id = int(target.rsplit("/", 1)[1])
        with ctx.db.session() as session:
            assert session.get(Document, doc_id).page_amount == 2

        # QC rejects another document of the file for a blurred page: it waits in rework with its code.
        rejected = helpers.document(ctx, file_id, state="qc", type_name="Kế hoạch", subject="Tổ chức hội nghị")
        qc.inspect(ctx, rejected, "reject", inspector="qc_inspector", defects=["D01"], comment="Trang 2 mờ")
        operator.go("/scanning#rework")
        row = page.locator(f"#rework tr[data-doc='{rejected}']")
        assert "D01" in row.inner_text() and "Ảnh mờ, không rõ chữ" in row.inner_text()
        assert "Trang 2 mờ" in row.inner_text() and "qc_inspector" in row.inner_text()
        operator.shot("rework")
        row.locator("a", has_text="Làm lại").click()
        page.wait_for_url(f"{base}/scanning?redo={rejected}#upload")
        assert f"#{rejected}" in page.inner_text("#redo-notice")
        page.set_input_files("#scan-input", _pages(tmp_path, {"quet-lai.png": 3}))
        page.wait_for_function(
            "() => document.querySelectorAll('#uploads td.state[data-state=done]').length === 3", timeout=180_000
        )
        operator.go("/scanning")
        assert page.locator(f"#rework tr[data-doc='{rejected}']").count() == 0
        operator.close()
    with ctx.db.session() as session:
        assert session.get(Document, rejected).state == "superseded"
    ctx.close()
