"""Stages take their engine, extractor and splitter as arguments; the pool builds one engine per worker."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from sohoa.domain.fields import DocumentFields, FieldValue
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.ports import DocumentSplitter, FieldExtractor, OcrEngine, PageRole
from sohoa.engines.fakes import FakeOcrEngine
from sohoa.pipeline.documents import build_documents
from sohoa.pipeline.types import SourcePage
from sohoa.pipeline.work import PageJob, PageOutcome, run_page_job
from sohoa.services.platform.pool import PagePool
from sohoa.settings import Settings

from ..ingest._helpers import text_page


def _words(*texts: str) -> tuple[Word, ...]:
    return tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1) for i, t in enumerate(texts))


def _outcomes(tmp_path: Path, count: int) -> list[PageOutcome]:
    pages = [text_page(tmp_path / f"p{n}.png", [f"Trang {n}"]) for n in range(count)]
    engine = FakeOcrEngine(_words("Quyết", "định"))
    return [run_page_job(PageJob(1, SourcePage(str(p), 0, "image", 300)), engine) for p in pages]


def test_the_page_job_reads_with_the_engine_it_is_given(tmp_path: Path) -> None:
    path = text_page(tmp_path / "p.png", ["Quyết định"])
    job = PageJob(1, SourcePage(str(path), 0, "image", 300), correct=False)
    first = run_page_job(job, FakeOcrEngine(_words("một"), name="first"))
    second = run_page_job(job, FakeOcrEngine(_words("hai"), name="second"))
    assert (first.ocr.engine, first.ocr.text) == ("first", "một")
    assert (second.ocr.engine, second.ocr.text) == ("second", "hai")


class _EachPageAlone:
    def __init__(self) -> None:
        self.calls = 0

    def split(self, pages: Sequence[OcrPage], roles: Sequence[PageRole | None] = (), *,
              separator_pages: Collection[int] = ()) -> list[list[int]]:
        self.calls += 1
        return [[i] for i in range(len(pages)) if i not in separator_pages]


class _Fixed:
    name = "fixed"

    def extract(self, pages: Sequence[OcrPage]) -> DocumentFields:
        return DocumentFields({"subject": FieldValue(f"{len(pages)} trang", 1.0)})


def test_the_document_stage_splits_and_extracts_with_what_it_is_given(tmp_path: Path) -> None:
    splitter: DocumentSplitter = _EachPageAlone()
    extractor: FieldExtractor = _Fixed()
    built = build_documents(_outcomes(tmp_path, 2), "tep.png", extractor=extractor, splitter=splitter)
    assert [b.page_indexes for b in built] == [[0], [1]]
    assert [b.fields.get("subject") for b in built] == ["1 trang", "1 trang"]
    assert all(b.pdf.startswith(b"%PDF") for b in built)


class _CountingFactory:
    def __init__(self) -> None:
        self.built = 0

    def __call__(self) -> OcrEngine:
        self.built += 1
        return FakeOcrEngine(_words("Quyết", "định"))


def test_an_in_process_pool_builds_one_engine_for_all_its_pages(tmp_path: Path) -> None:
    factory = _CountingFactory()
    paths = [text_page(tmp_path / f"p{n}.png", ["Quyết định"]) for n in range(3)]
    with PagePool(Settings(data=tmp_path / "data", workers=1), factory) as pool:
        pool.submit([PageJob(n, SourcePage(str(p), 0, "image", 300)) for n, p in enumerate(paths)])
        results = list(pool.results(block=True))
    assert factory.built == 1
    assert sorted(r.item_id for r in results if isinstance(r, PageOutcome)) == [0, 1, 2]
