"""The accuracy benchmark's rescanned real items (bench/_accuracy_rescan.py): a file printed and scanned
again is a PDF of images only, at the condition's resolution, with as many pages; every condition is read
through the front door and scored on the labels; the report has a row per condition and per pooled set.
A generated page stands in for a real item (tests never read ../shared)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _accuracy_rescan import HELD_OUT, RESCANS, TUNING, rescanned, rescans_markdown, run_rescans
from sohoa.domain.ocr import OcrPage
from sohoa.samples import generate_corpus
from sohoa.settings import Settings


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root like ../shared/data/real: one folder with one generated page and its label."""
    root = tmp_path_factory.mktemp("real")
    corpus = generate_corpus(root / "gen" / "img", documents=1, seed=11, multipage=False)
    doc = corpus.documents[0]
    label = {"file": f"img/{corpus.pages[0].name}", "so_ky_hieu": doc.number_sign,
             "ngay_ban_hanh": doc.fields["issued_date"], "co_quan_ban_hanh": doc.fields["organ_name"],
             "loai_van_ban": doc.fields["type_name"], "trich_yeu": doc.fields["subject"], "notes": ""}
    (root / "gen" / "labels.jsonl").write_text(json.dumps(label, ensure_ascii=False) + "\n", encoding="utf-8")
    return root


def _images(pdf: Path) -> list[tuple[int, int, int]]:
    """(width, height, bits per component) of the one image on each page, and no page has text."""
    found = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            assert "/Font" not in page.obj.get("/Resources", {})  # no text layer
            images = list(page.get_images().values())
            assert len(images) == 1
            found.append((int(images[0].Width), int(images[0].Height), int(images[0].BitsPerComponent)))
    return found


def test_the_conditions_are_split_into_tuning_and_held_out() -> None:
    assert set(TUNING).isdisjoint(HELD_OUT)
    assert set(RESCANS) == {*TUNING, *HELD_OUT}


def test_a_rescan_is_a_pdf_of_images_at_the_condition_resolution(labelled: Path, tmp_path: Path) -> None:
    page = next((labelled / "gen" / "img").glob("*.png"))
    same = _images(rescanned(page, "rescan", 1, tmp_path / "same.pdf"))
    low = _images(rescanned(page, "200dpi", 1, tmp_path / "low.pdf"))
    fax = _images(rescanned(page, "fax", 1, tmp_path / "fax.pdf"))
    assert len(same) == len(low) == len(fax) == 1
    assert low[0][0] == pytest.approx(same[0][0] * 200 / 300, abs=1)
    assert fax[0][2] == 1 and same[0][2] == 8
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.jpg"))  # page files removed


def test_every_condition_is_read_through_the_front_door_and_reported(labelled: Path) -> None:
    bare_calls: list[Path] = []

    def bare(path: Path) -> OcrPage:
        bare_calls.append(path)
        return OcrPage(width=100, height=100, dpi=300)

    result = run_rescans(labelled, Settings(workers=1), ["rescan", "jpeg"], 4242, bare)
    assert list(result["conditions"]) == ["rescan", "jpeg"]
    assert result["split"] == {"tuning": ["rescan"], "held_out": ["jpeg"]}
    assert len(bare_calls) == 2 and all(p.suffix == ".pdf" for p in bare_calls)
    clean = result["conditions"]["rescan"]
    assert clean["per_item"][0]["file"].startswith("gen/img/")
    assert clean["overall"]["baseline"]["right_pct"] == 0.0  # the stand-in baseline reads nothing
    assert clean["overall"]["sohoa"]["right_pct"] >= 80.0  # a clean generated page, read from pixels
    assert clean["printed"]["fields"]["type_name"] == 100.0
    assert result["groups"]["held_out"]["overall"]["sohoa"]["values"] == clean["overall"]["sohoa"]["values"]
    table = rescans_markdown({"rescans": result})
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [r.split(" | ")[0] for r in rows] == ["| **tuning, pooled**", "| **held out, pooled**", "| rescan",
                                                 "| jpeg"]


def test_a_photo_without_a_resolution_is_printed_on_a4(tmp_path: Path) -> None:
    """A 576 × 960 photo of a letter fills an A4 page's height: scanned again at 300 dpi it is 11.69 inches
    tall, not shrunk further as a 300 dpi page would be."""
    photo = tmp_path / "letter.jpg"
    Image.new("RGB", (576, 960), "white").save(photo, "JPEG")
    (width, height, _), = _images(rescanned(photo, "rescan", 1, tmp_path / "letter.pdf"))
    assert height == pytest.approx(11.69 * 300, abs=2) and width == pytest.approx(576 * height / 960, abs=2)
    (_, low, _), = _images(rescanned(photo, "200dpi", 1, tmp_path / "low.pdf"))
    assert low == pytest.approx(11.69 * 200, abs=2)
