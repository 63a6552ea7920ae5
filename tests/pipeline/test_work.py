"""The per-page worker job: measured once, OCR'd, its splitter role and previews returned."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sohoa.domain.ocr import BBox, Word
from sohoa.engines.fakes import FakeOcrEngine
from sohoa.intelligence.split import PageRole
from sohoa.pipeline.types import SourcePage
from sohoa.pipeline.work import PageJob, PageOutcome, run_page_job

from ..ingest._helpers import text_page

WORDS = tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
              for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"]))


def _run(path: Path) -> PageOutcome:
    return run_page_job(PageJob(1, SourcePage(str(path), 0, "image", 300)), FakeOcrEngine(WORDS))


def test_page_job_returns_quality_role_and_the_master_unchanged(tmp_path: Path) -> None:
    path = text_page(tmp_path / "p.png", ["Quyết định về việc hòa giải"])
    before = path.read_bytes()
    outcome = _run(path)
    assert isinstance(outcome.role, PageRole) and not outcome.role.blank
    assert outcome.quality.bit_depth == 24 and (outcome.width, outcome.height) == (1200, 600)
    assert outcome.embed_bytes == before and outcome.embed_media_type == "image/png"  # passed through
    assert outcome.thumbnail.startswith(b"\xff\xd8")  # a JPEG preview
    assert path.read_bytes() == before


def test_bit_depth_survives_the_single_pixel_copy(tmp_path: Path) -> None:
    """The worker converts the page to an array once; a 1-bit scan must still be reported as 1-bit."""
    path = text_page(tmp_path / "p.png", ["Quyết định về việc hòa giải"])
    Image.open(path).convert("1").save(tmp_path / "bw.png", dpi=(300, 300))
    outcome = _run(tmp_path / "bw.png")
    assert outcome.quality.bit_depth == 1 and outcome.quality.colour_mode == "bw"
    assert "not_24bit_colour" in outcome.quality.warnings


def test_an_exif_rotated_photo_is_turned_upright(tmp_path: Path) -> None:
    """Upright pages skip the transposed copy; a page with an EXIF rotation is still turned."""
    path = text_page(tmp_path / "p.png", ["Quyết định"])
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.open(path).convert("RGB").save(tmp_path / "photo.jpg", exif=exif, dpi=(300, 300))
    outcome = _run(tmp_path / "photo.jpg")
    assert (outcome.width, outcome.height) == (600, 1200)
