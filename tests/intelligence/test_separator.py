"""QR separator sheets: generate the PDF, rasterise it with pdftoppm, read the codes back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from sohoa.intelligence.separator import find_separator, separator_sheets_pdf


def test_sheets_round_trip_through_pdftoppm(tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is required"
    codes = ["HN.2025.01-015", "G09.2024.007"]
    pdf = tmp_path / "sheets.pdf"
    separator_sheets_pdf(codes, pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    found = [find_separator(cv2.imread(str(p))) for p in pages]
    assert found == codes
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "TRANG PHÂN CÁCH HỒ SƠ" in text and "FILE SEPARATOR SHEET" in text


def test_ordinary_pages_and_foreign_qr_codes_are_not_separators() -> None:
    import qrcode

    assert find_separator(np.full((3508, 2480), 255, np.uint8)) is None
    foreign = np.array(qrcode.make("https://example.org").get_image().convert("L"))
    assert find_separator(cv2.cvtColor(foreign, cv2.COLOR_GRAY2BGR)) is None


def test_empty_code_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        separator_sheets_pdf([], tmp_path / "x.pdf")


def test_a_detector_failure_on_a_noisy_page_means_no_separator(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenCV's QR detector can fail an assertion on speckled pages; the page is then ordinary."""

    class Failing:
        def detectAndDecode(self, image: np.ndarray) -> tuple[str, None, None]:
            raise cv2.error("convexHull: (-215:Assertion failed)")

    monkeypatch.setattr(cv2, "QRCodeDetector", Failing)
    assert find_separator(np.full((3508, 2480), 200, dtype=np.uint8)) is None
