"""Real Tesseract reads the generated pages as their ground truth says (text and line boxes)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from sohoa.domain.metrics import edit_distance
from sohoa.samples import SampleCorpus, generate_corpus

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"


@pytest.fixture(scope="module")
def api() -> Iterator[Any]:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # OpenMP thrashes on 2 shared cores
    from tesserocr import PSM, PyTessBaseAPI

    with PyTessBaseAPI(path=TESSDATA, lang="vie", psm=PSM.AUTO) as tess:
        yield tess


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> SampleCorpus:
    return generate_corpus(tmp_path_factory.mktemp("ocr"), documents=1, seed=2025, multipage=False)


@pytest.mark.tesseract
def test_each_truth_line_reads_back_with_cer_under_3_percent(api: Any, clean: SampleCorpus) -> None:
    from tesserocr import PSM

    doc = clean.documents[0]
    api.SetPageSegMode(PSM.SINGLE_LINE)
    api.SetImage(Image.open(clean.pages[0]))
    errors = total = 0
    for line, (x0, y0, x1, y1) in zip(doc.page_texts[0].split("\n"), doc.line_boxes[0], strict=True):
        api.SetRectangle(x0 - 12, y0 - 12, x1 - x0 + 24, y1 - y0 + 24)
        read = " ".join(api.GetUTF8Text().split())
        errors += edit_distance(line, read)
        total += len(line)
    assert total > 800
    assert errors / total < 0.03


@pytest.mark.tesseract
def test_whole_page_ocr_finds_the_truth_words(api: Any, clean: SampleCorpus) -> None:
    """Tesseract's own layout merges the two header columns, so compare words regardless of order."""
    from tesserocr import PSM

    api.SetPageSegMode(PSM.AUTO)
    api.SetImage(Image.open(clean.pages[0]))
    read = Counter(api.GetUTF8Text().split())
    truth = Counter(clean.documents[0].page_texts[0].split())
    found = sum((truth & read).values())
    assert found / sum(truth.values()) > 0.95
    assert clean.documents[0].fields["signer_full_name"] in api.GetUTF8Text()


def testedit_distance() -> None:
    assert edit_distance("Hà Nội", "Ha Noi") == 2
    assert edit_distance("", "abc") == 3
