"""The real `sohoa` CLI with a fake OCR engine, for tests that run it in processes of its own.

``python -m tests.security._fake_cli ingest box --json``: every page an engine reads is logged as
one line (the process id) to ``SOHOA_TEST_PAGE_LOG``; with ``SOHOA_TEST_GATE`` set, the first page
creates ``<gate>.started`` and every page waits for ``<gate>.open`` (the test holds the process
in OCR while its claims are taken). Use with ``SOHOA_WORKERS=1`` (pages run in the CLI process).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

import sohoa.services.platform.pool
from sohoa.cli.main import app
from sohoa.domain.ocr import BBox, OcrPage, Word

WORDS = tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
              for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"]))
_GATE_SECONDS = 120.0  # a test that never opens the gate fails, it does not hang


@dataclass(frozen=True)
class LoggingEngine:
    """A fake engine that records each page it reads (and waits at the gate when one is set)."""

    page_log: str | None
    gate: str | None
    name: str = "fake"

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        if self.gate:
            Path(self.gate + ".started").touch()
            deadline = time.monotonic() + _GATE_SECONDS
            while not Path(self.gate + ".open").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        if self.page_log:
            with open(self.page_log, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")
        width, height = image.size if isinstance(image, Image.Image) else (image.shape[1], image.shape[0])
        return OcrPage(int(width), int(height), dpi, WORDS, source="ocr", engine=self.name)


class logging_factory:
    """Stands in for ``tesseract_factory`` (same arguments, ignored)."""

    def __init__(self, *_args: object) -> None:
        self.engine = LoggingEngine(os.environ.get("SOHOA_TEST_PAGE_LOG"), os.environ.get("SOHOA_TEST_GATE"))

    def __call__(self) -> LoggingEngine:
        return self.engine


if __name__ == "__main__":
    sohoa.services.platform.pool.tesseract_factory = logging_factory  # type: ignore[assignment,misc]
    app()
