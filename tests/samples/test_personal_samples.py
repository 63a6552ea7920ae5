"""Sample documents with fictitious personal data: the visible note, the truth, the labelled set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.intelligence.personal import detect
from sohoa.intelligence.personal._features import name_lists
from sohoa.samples import SampleCorpus, generate_corpus
from sohoa.samples._people import HELD_OUT_FAMILY, HELD_OUT_GIVEN, HELD_OUT_MIDDLE
from sohoa.samples.personal import FICTITIOUS_NOTE, labelled_set, personal_documents


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_personal_corpus_marks_its_pages_and_lists_the_printed_personal_data(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path, documents=2, seed=5, multipage=False, personal=True)
    for document in corpus.documents:
        text = _flat(" ".join(document.page_texts))
        assert FICTITIOUS_NOTE in text
        kinds = {kind for kind, _ in document.personal}
        assert "name" in kinds and len(document.personal) >= 4
        assert all(_flat(value) in text for _, value in document.personal)
        assert document.fields["signer_full_name"] not in {value for _, value in document.personal}
    loaded = SampleCorpus.load(tmp_path)
    assert [d.personal for d in loaded.documents] == [d.personal for d in corpus.documents]


def test_an_ordinary_corpus_is_unchanged_and_has_no_personal_truth(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path, documents=2, seed=5, multipage=False)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert all("personal" not in d for d in truth["documents"])
    assert all(d.personal == [] for d in corpus.documents)
    assert FICTITIOUS_NOTE not in " ".join(corpus.documents[0].page_texts)


def test_labelled_texts_slice_their_spans_and_parts_differ() -> None:
    tuning, held_out = labelled_set("tuning", 30), labelled_set("held_out", 30)
    for item in tuning + held_out + personal_documents(5):
        assert all(item.text[s.start:s.end] == s.text for s in item.spans)
        assert all(a.end <= b.start for a, b in zip(item.spans, item.spans[1:], strict=False))
    assert {t.text for t in tuning}.isdisjoint(t.text for t in labelled_set("train", 30))
    assert labelled_set("tuning", 3) == labelled_set("tuning", 3)  # deterministic


def test_held_out_names_are_unknown_to_the_recognizer() -> None:
    lists = name_lists()
    known = lists["family"] | lists["middle"] | lists["given"]
    assert not {w.lower() for w in HELD_OUT_FAMILY + HELD_OUT_MIDDLE + HELD_OUT_GIVEN} & known
    words = {w for t in labelled_set("held_out", 60) for s in t.spans if s.kind is PersonalKind.NAME
             for w in s.text.split()}
    assert words & set(HELD_OUT_GIVEN)  # the held-out part does use them


def test_detection_finds_the_truth_of_generated_documents() -> None:
    found = total = 0
    for document in personal_documents(10, seed=77):
        spans = {(s.kind, s.start, s.end) for s in detect(document.text)}
        total += len(document.spans)
        found += sum(1 for s in document.spans if (s.kind, s.start, s.end) in spans)
    assert found / total >= 0.95


@pytest.mark.tesseract
def test_a_rendered_page_reads_back_its_note_and_its_personal_data(tmp_path: Path) -> None:
    """Through the project's own engine: the note is legible and detection on the OCR text finds the ID
    numbers, phones and names the truth lists."""
    import numpy as np
    from PIL import Image

    from sohoa.engines.tesseract import TesseractEngine
    from sohoa.intelligence.personal import detect_page, page_text

    corpus = generate_corpus(tmp_path, documents=1, seed=16, multipage=False, personal=True)
    ocr = TesseractEngine().recognize(np.asarray(Image.open(corpus.pages[0]).convert("L")), corpus.dpi)
    assert "hư cấu" in page_text(ocr)
    found = {(h.span.kind.value, h.span.normalized) for h in detect_page(ocr)}
    wanted = {(k, normalize_value(k, v)) for k, v in corpus.documents[0].personal
              if k in ("cccd", "cmnd", "phone", "name")}
    assert wanted and wanted <= found
    assert all(h.boxes for h in detect_page(ocr))


@pytest.mark.parametrize("part", ["tuning", "held_out"])
def test_both_parts_show_given_names_alone_and_names_at_a_line_end(part: str) -> None:
    texts = labelled_set(part, 120)
    names = [(t.text, s) for t in texts for s in t.spans if s.kind is PersonalKind.NAME]
    assert any(" " not in s.text and "\n" not in s.text for _, s in names)  # "ông An"
    assert any("\n" in s.text for _, s in names)  # a name wrapped across two lines
    ends = [text[s.end:s.end + 2] for text, s in names if text[s.end:s.end + 1] == "\n"]
    assert any(end[1:].isupper() for end in ends)  # a name, then a line that starts with a capital
