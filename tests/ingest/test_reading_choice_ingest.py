"""Ingest records the per-page reading choice (issue #12 item 3) in the page's quality."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import Page
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ..pipeline.test_reading_choice import GARBLED, TEXT, ByDpiEngine, words
from ._helpers import text_page


def garbling_when_enlarged() -> ByDpiEngine:
    """Reads the enlarged (prepared) 200-dpi page badly and the page as scanned well."""
    return ByDpiEngine({300: words(GARBLED, 0.6), 200: words(TEXT, 0.95)})


def test_ingest_keeps_the_better_reading_and_records_why(ctx: AppContext, tmp_path: Path) -> None:
    report = ingest_paths(ctx, [text_page(tmp_path / "scan.png", [" ".join(TEXT)], dpi=200)],
                          engine_factory=garbling_when_enlarged)
    assert report.pages == 1
    with ctx.db.session() as session:
        (page,) = session.execute(select(Page)).scalars()
        assert page.text == " ".join(TEXT)
        assert page.quality is not None
        (note,) = [w for w in page.quality["warnings"] if w.startswith("reading_")]
        assert note.startswith("reading_light: light 5.7") and "> prepared -1.8" in note
