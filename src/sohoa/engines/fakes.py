"""Test doubles of the OCR engine protocol: one that returns given words and one that always fails."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import OcrPage, Word

__all__ = ["CrashingOcrEngine", "FakeOcrEngine"]


def _size(image: NDArray[np.uint8] | Image.Image) -> tuple[int, int]:
    if isinstance(image, Image.Image):
        return image.size
    return int(image.shape[1]), int(image.shape[0])


@dataclass(frozen=True)
class FakeOcrEngine:
    """Returns the given words (boxes in the pixels of the image it is given) for every page."""

    words: tuple[Word, ...] = ()
    name: str = "fake"

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        width, height = _size(image)
        return OcrPage(width, height, dpi, self.words, source="ocr", engine=self.name)


@dataclass(frozen=True)
class CrashingOcrEngine:
    """Fails on every page, as a crashed or misconfigured engine would."""

    message: str = "simulated OCR crash"
    name: str = "crashing"

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        raise EngineError(f"Lỗi OCR giả lập: {self.message}", f"Simulated OCR failure: {self.message}")
