"""An archivist creates a hồ sơ in Chromium, picking its fonds by typing part of its unit's name without tone
marks; the administrator then picks that file by its code on /admin/access — no id typed anywhere, no list of
hundreds of units scrolled (#17 item 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sohoa.db.models import Event, FileUnit, Unit
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement
from sohoa.services.registry.units import import_hanoi_2025

from .test_browser import Session, browser, server

__all__ = ["browser", "server"]  # the fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CODE = "HK01.2024.01.TCCB"


def _unit(ctx: AppContext, identifier: str) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar_one())


def test_archivist_creates_a_file_and_admin_picks_it_by_code(server: tuple[str, AppContext], browser: object) -> None:
    base, ctx = server
    import_hanoi_2025(ctx)  # the ~680 units of Hanoi 2025, old and new
    fonds_id = arrangement.create_fonds(ctx, "HK01", "Phông UBND", _unit(ctx, "HN.MOI.00070"), actor="admin")
    arrangement.create_fonds(ctx, "BD01", "Phông UBND", _unit(ctx, "HN.MOI.00004"), actor="admin")

    archivist = Session(browser, base, "archivist")
    page = archivist.page
    archivist.go("/arrangement")
    # Before: no way to create a hồ sơ, and a <select> of every unit to scroll through.
    assert page.locator("select#f-unitf").count() == 0
    assert page.get_attribute("#f-unitf", "role") == "combobox"
    page.click("#create-file")
    page.wait_for_url(f"{base}/arrangement/files/new")

    fonds = page.locator("#f-fonds")
    assert fonds.get_attribute("role") == "combobox" and fonds.get_attribute("aria-autocomplete") == "list"
    fonds.type("hoan kiem")  # the unit's name, without its tone marks
    page.wait_for_selector("#f-fonds-list li[role=option]")
    options = page.locator("#f-fonds-list li[role=option]")
    assert options.count() == 1 and options.first.inner_text().startswith("HK01")
    assert "Phường Hoàn Kiếm" in options.first.inner_text()
    assert fonds.get_attribute("aria-expanded") == "true"
    archivist.shot("picker")
    fonds.press("ArrowDown")
    assert fonds.get_attribute("aria-activedescendant") == "f-fonds-list-0"
    fonds.press("Enter")  # picks; does not send the form
    assert page.url == f"{base}/arrangement/files/new"
    assert fonds.input_value() == "HK01 — Phông UBND"
    assert page.input_value("input[name=fonds_id]") == str(fonds_id)
    assert fonds.get_attribute("aria-expanded") == "false"

    page.fill("#f-notation", "01.TCCB")
    page.fill("#f-title", "Hồ sơ tổ chức cán bộ năm 2024")
    page.fill("#f-start_date", "05/03/2024")
    page.fill("#f-end_date", "20/12/2024")
    page.fill("#f-maintenance", "Vĩnh viễn")
    page.fill("#f-sheet_total", "12")
    archivist.shot("arrangement-create-file")
    page.click("#create-file-form button[type=submit]")
    page.wait_for_url(f"{base}/arrangement/files/*")
    assert f"Đã tạo hồ sơ {CODE}" in page.inner_text("main")
    assert page.input_value("#f-fonds") == "HK01 — Phông UBND"  # the file's page edits it from here on
    archivist.close()
    with ctx.db.session() as session:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == CODE)).scalar_one()
        assert (file.fonds_id, file.access_level) == (fonds_id, "internal")
        created = select(Event.id).where(Event.action == "file.create", Event.entity_id == file.id)
        assert session.execute(created).first() is not None

    admin = Session(browser, base, "admin")
    page = admin.page
    admin.go("/admin/access")
    field = page.locator("#lv_file")
    # Before: a number was asked for; now the file is looked up by what people know of it.
    assert field.get_attribute("type") in (None, "text") and field.get_attribute("role") == "combobox"
    field.type("hk01.2024")
    page.wait_for_selector("#lv_file-list li[role=option]")
    assert page.locator("#lv_file-list li[role=option]").first.inner_text().startswith(CODE)
    page.locator("#lv_file-list li[role=option]").first.click()
    assert field.input_value() == f"{CODE} — Hồ sơ tổ chức cán bộ năm 2024"
    page.select_option("#level", "conditional")
    page.fill("#lv_reason", "Quyết định 12/QĐ-LT")
    page.click("form[action='/admin/access/level'] button[type=submit]")
    page.wait_for_selector("#access-result")
    admin.close()
    with ctx.db.session() as session:
        assert session.execute(select(FileUnit.access_level).where(FileUnit.file_code == CODE)).scalar_one() == (
            "conditional"
        )
