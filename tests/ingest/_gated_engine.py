"""A real Tesseract engine that holds each real page at a gate (warm-up strips pass): the test kills the
worker while a page is in its hands. Importable by worker processes (a module of its own, no pytest)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import OcrEngine

_GATE_SECONDS = 120.0  # a test that never opens the gate fails, it does not hang


@dataclass(frozen=True)
class GatedEngine:
    gate: str
    engine: OcrEngine
    name: str = "tesseract"

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        width = image.size[0] if isinstance(image, Image.Image) else image.shape[1]
        if width > 256:  # a page, not the warm-up strip
            Path(self.gate + ".started").touch()
            deadline = time.monotonic() + _GATE_SECONDS
            while not Path(self.gate + ".open").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return self.engine.recognize(image, dpi)


@dataclass(frozen=True)
class gated_factory:
    gate: str

    def __call__(self) -> GatedEngine:
        from sohoa.engines.tesseract import TesseractEngine

        return GatedEngine(self.gate, TesseractEngine(lang="vie"))
