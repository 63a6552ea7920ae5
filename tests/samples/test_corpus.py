"""Generated sample corpora: determinism, files and DPI per condition, truth coverage, field consistency."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sohoa.domain.codes import Secrecy, Urgency, type_by_abbreviation, type_by_name
from sohoa.domain.errors import ValidationFailed
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.text import format_vn_date
from sohoa.samples import CONDITIONS, SampleCorpus, SampleDocument, generate_corpus

GROUP = r"[A-ZĐ][A-Za-zĐđ]*"
SIGN = re.compile(rf"^(?P<so>0[1-9]|[1-9]\d+)(?:/(?P<nam>20\d{{2}}))?/(?P<ky_hieu>{GROUP}(?:-{GROUP})+)$")


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> SampleCorpus:
    return generate_corpus(tmp_path_factory.mktemp("c") / "out", documents=8, seed=11, separators=True)


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a = generate_corpus(tmp_path / "a", documents=2, seed=7, multipage=False)
    b = generate_corpus(tmp_path / "b", documents=2, seed=7, multipage=False)
    c = generate_corpus(tmp_path / "c", documents=2, seed=8, multipage=False)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert [d.page_texts for d in a.documents] == [d.page_texts for d in b.documents]
    assert [d.page_texts for d in a.documents] != [d.page_texts for d in c.documents]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_condition_writes_right_files_and_dpi(tmp_path: Path, condition: str) -> None:
    corpus = generate_corpus(tmp_path, documents=1, seed=3, condition=condition, multipage=False)
    dpi = 200 if condition in ("clean200", "bw1bit", "fax") else 300
    assert [p.name for p in corpus.pages] == [f"page_0001.{'jpg' if condition == 'jpeg' else 'png'}"]
    with Image.open(corpus.pages[0]) as image:
        assert image.format == ("JPEG" if condition == "jpeg" else "PNG")
        assert image.mode == ("1" if condition in ("bw1bit", "fax") else "RGB")
        assert image.size == (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
        assert round(image.info["dpi"][0]) == dpi
    assert (tmp_path / "truth.json").exists()
    assert corpus.dpi == dpi


def test_same_text_under_every_condition(tmp_path: Path) -> None:
    texts = {c: generate_corpus(tmp_path / c, documents=1, seed=5, condition=c, multipage=False)
             .documents[0].page_texts for c in ("clean300", "clean200", "bw1bit")}
    assert texts["clean300"] == texts["clean200"] == texts["bw1bit"]


def test_unknown_condition_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed):
        generate_corpus(tmp_path, documents=1, seed=1, condition="microfilm")


def test_truth_covers_every_page_once(corpus: SampleCorpus) -> None:
    owned = [n for d in corpus.documents for n in d.pages]
    assert sorted(owned + corpus.separators) == list(range(1, len(corpus.pages) + 1))
    assert len(set(owned)) == len(owned)
    assert corpus.separators, "seed 11 with separators=True inserts at least one blank page"
    for d in corpus.documents:
        assert d.pages == list(range(d.pages[0], d.pages[0] + len(d.pages)))
        assert len(d.page_texts) == len(d.pages) == len(d.line_boxes) == len(d.page_kinds)
        assert d.page_kinds[0] == "first"
        for text, boxes in zip(d.page_texts, d.line_boxes, strict=True):
            assert len(text.split("\n")) == len(boxes)
    assert any(len(d.pages) > 1 for d in corpus.documents)


def test_load_reads_back_what_was_written(corpus: SampleCorpus) -> None:
    assert SampleCorpus.load(corpus.out_dir) == corpus


def test_separator_pages_are_blank_and_text_lines_have_ink(corpus: SampleCorpus) -> None:
    for n in corpus.separators:
        assert np.asarray(Image.open(corpus.pages[n - 1]).convert("L")).min() > 200
    doc = corpus.documents[0]
    page = np.asarray(Image.open(corpus.pages[doc.pages[0] - 1]).convert("L"))
    for line, (x0, y0, x1, y1) in zip(doc.page_texts[0].split("\n"), doc.line_boxes[0], strict=True):
        ink = (page[y0:y1, x0:x1] < 128).mean()
        assert 0.02 < ink < 0.6, line


def _check_fields(doc: SampleDocument) -> None:
    f = doc.fields
    assert set(f) == set(FIELD_NAMES)
    issued = date.fromisoformat(f["issued_date"] or "")
    kind = type_by_name(f["type_name"] or "")
    assert kind is not None and kind.tt05_code == doc.type_code
    match = SIGN.match(doc.number_sign)
    assert match, doc.number_sign
    # One convention with the real labels: number + "/" + notation is the printed sign, year included.
    assert f"{f['code_number']}/{f['code_notation']}" == doc.number_sign
    assert match["so"] == f["code_number"]
    assert f["code_notation"] == (f"{match['nam']}/" if match["nam"] else "") + match["ky_hieu"]
    assert match["nam"] in (None, str(issued.year))
    head = match["ky_hieu"].split("-")[0]
    if kind.abbreviation is None:  # công văn: the sign starts with the issuing body, never a type
        assert type_by_abbreviation(head) is None
    else:
        assert type_by_abbreviation(head) == kind
    first = doc.page_texts[0].split("\n")
    assert f"Số: {doc.number_sign}" in first
    assert format_vn_date(issued, f["place"]) in first
    subject = f["subject"] or ""
    if kind.name == "Công văn":  # the trích yếu keeps its printed "V/v" marker (it may wrap)
        start = next(i for i, line in enumerate(first) if line.startswith("V/v "))
        joined = " ".join(first[start : start + 4])
        assert subject.startswith("V/v ") and joined.startswith(subject)
    else:
        assert not subject.startswith("V/v")
    assert f["secrecy"] in (None, *[s.value for s in Secrecy])
    assert f["urgency"] in (None, *[u.value for u in Urgency])
    for mark in (f["secrecy"], f["urgency"]):
        assert mark is None or mark.upper() in first
    last = doc.page_texts[doc.page_kinds.index("appendix") - 1 if "appendix" in doc.page_kinds else -1]
    assert f["signer_full_name"] in last.split("\n")
    assert f["signer_position"] in last.split("\n")


def test_fields_agree_with_code_lists_and_drawn_text(corpus: SampleCorpus) -> None:
    for doc in corpus.documents:
        _check_fields(doc)
        for number, text, kind in zip(doc.pages, doc.page_texts, doc.page_kinds, strict=True):
            if kind == "continuation":
                assert text.split("\n")[0] == str(doc.pages.index(number) + 1)
            if kind == "appendix":
                assert text.startswith("Phụ lục")


def test_many_documents_cover_the_layout_variety() -> None:
    from sohoa.samples._corpus import _document_pages

    contents = [_document_pages(21, i, True)[1] for i in range(60)]
    types = {c.fields["type_name"] for c in contents}
    assert len(types) >= 8 and "Công văn" in types
    assert any(c.fields["parent_organ_name"] is None for c in contents)
    assert any(c.fields["secrecy"] or c.fields["urgency"] for c in contents)
    assert any("/20" in c.number_sign for c in contents)  # legal-normative 12/2025/QĐ-UBND
    assert any(re.fullmatch(r"20\d\d/[^/]+", c.fields["code_notation"] or "") for c in contents)
    assert any(c.appendix is not None for c in contents)
    assert all(re.fullmatch(r"0[1-9]|[1-9]\d+", c.fields["code_number"] or "") for c in contents)
    assert all(len((c.fields["signer_full_name"] or "").split()) >= 3 for c in contents)


def test_missing_font_is_reported_as_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from sohoa.domain.errors import EngineError
    from sohoa.samples import _typeset

    monkeypatch.setattr(_typeset, "FONT_DIR", "/nonexistent")
    _typeset._font.cache_clear()
    try:
        with pytest.raises(EngineError, match="fonts-liberation2"):
            _typeset.font("regular", 40)
    finally:
        monkeypatch.undo()
        _typeset._font.cache_clear()
