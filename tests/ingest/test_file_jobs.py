"""Whole-file jobs: a short born-digital PDF goes through one worker job, pages to built documents; what is
stored is the same as with one job per page; a failing page fails (or quarantines) the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sohoa.db.models import Document, Page
from sohoa.domain.ocr import OcrPage
from sohoa.intelligence.extract import RuleFieldExtractor
from sohoa.intelligence.split import LayoutSplitter
from sohoa.pipeline import files
from sohoa.pipeline.files import FileJob, FileOutcome, as_file_job, safe_run_file_job
from sohoa.pipeline.triage import triage
from sohoa.pipeline.work import PageFailure
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ._helpers import text_page
from .test_born_digital import legal_pdf
from .test_ingest_fast import fake


def _stored(ctx: AppContext) -> list[tuple[str, str | None, str, list[tuple[int, str, float | None]]]]:
    with ctx.db.session() as session:
        out = []
        for doc in session.execute(select(Document).order_by(Document.id)).scalars():
            pages = session.execute(select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)).scalars()
            out.append((doc.text, doc.code_number, doc.type_name,
                        [(p.page_no, p.text, p.mean_confidence) for p in pages]))
        return out


def test_a_short_born_digital_pdf_is_one_job(tmp_path: Path) -> None:
    master = legal_pdf(tmp_path / "qd.pdf")
    pages = triage(master, max_pixels=10**9).pages
    job = as_file_job(7, pages, 300, "qd.pdf", RuleFieldExtractor(), LayoutSplitter())
    assert isinstance(job, FileJob) and job.page == pages[0] and job.pages == pages
    outcome = safe_run_file_job(job, fake())
    assert isinstance(outcome, FileOutcome) and outcome.item_id == 7 and len(outcome.outcomes) == 2
    assert all(o.ocr.words == () and o.ocr.text and o.mean_confidence == 1.0 for o in outcome.outcomes)
    assert [d.fields.get("code_number") for d in outcome.documents] == ["2112"]
    scan = triage(legal_pdf(tmp_path / "mixed.pdf", scan=_scan(tmp_path)), max_pixels=10**9).pages
    assert as_file_job(7, scan, 300, "mixed.pdf", RuleFieldExtractor(), LayoutSplitter()) is None


def _scan(tmp_path: Path) -> Path:
    return text_page(tmp_path / "scan.png", ["Trang quét"], dpi=150)


def test_file_job_stores_what_page_jobs_store(any_ctx: AppContext, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first = legal_pdf(tmp_path / "qd.pdf")
    ingest_paths(any_ctx, [first], engine_factory=fake)
    by_file = _stored(any_ctx)
    monkeypatch.setattr(files, "FILE_JOB_PAGES", 1)  # two pages: one job per page this time
    second = tmp_path / "b.pdf"  # the same file again as another master (one byte more)
    second.write_bytes(first.read_bytes() + b"\n")
    ingest_paths(any_ctx, [second], engine_factory=fake)
    by_page = _stored(any_ctx)[1:]
    assert len(by_file) == 1 and by_page == by_file
    assert [(n, c) for n, _, c in by_file[0][3]] == [(1, 1.0), (2, 1.0)]


@pytest.mark.parametrize(("reason", "state"), [(None, "failed"), ("corrupt", "quarantined")])
def test_a_failing_page_fails_the_whole_file(ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             reason: str | None, state: str) -> None:
    real = files.safe_run_page_job

    def second_fails(job, engine):  # type: ignore[no-untyped-def]
        if job.page.page_index == 1:
            return PageFailure(job.item_id, 1, "trang 2 hỏng / page 2 broken", reason=reason)
        return real(job, engine)

    monkeypatch.setattr(files, "safe_run_page_job", second_fails)
    report = ingest_paths(ctx, [legal_pdf(tmp_path / "qd.pdf")], engine_factory=fake)
    assert [i.state for i in report.items] == [state]
    assert _stored(ctx) == []


def test_text_only_pages_keep_their_text() -> None:
    page = OcrPage(10, 10, 300, (), "pdf", "pdftotext", text_override="Điều 1")
    assert page.text == "Điều 1" and page.mean_confidence == 0.0
