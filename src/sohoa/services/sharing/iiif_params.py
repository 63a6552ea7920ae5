"""IIIF Image API 3.0 request parameters: region, size, rotation, quality and format parsed into one plan.

A plan is checked against the full image size and nothing else, so it is computed before any pixel is
read; an impossible or unsupported request is a ``ValidationFailed`` (HTTP 400), as the specification asks.
Upscaling (``^``) is not offered: the largest answer is the region at full resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.domain.errors import ValidationFailed

__all__ = ["FORMATS", "QUALITIES", "ImagePlan", "parse_plan"]

# Format → (Pillow writer, media type); jpg and png are level 2, webp is an extra format.
FORMATS: dict[str, tuple[str, str]] = {
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}
QUALITIES = ("default", "color", "gray", "bitonal")

_NUMBER = r"\d+(?:\.\d+)?"
_PCT_REGION = re.compile(rf"pct:({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})")
_PX_REGION = re.compile(r"(\d+),(\d+),(\d+),(\d+)")
_PCT_SIZE = re.compile(rf"pct:({_NUMBER})")
_WH_SIZE = re.compile(r"(!?)(\d*),(\d*)")


@dataclass(frozen=True)
class ImagePlan:
    """What to cut (x, y, w, h in full-size pixels), the output size, turn, mirror, quality and format."""

    region: tuple[int, int, int, int]
    size: tuple[int, int]
    rotation: int
    mirror: bool
    quality: str
    format: str

    @property
    def canonical(self) -> str:
        """The canonical URI form of the request (region/size/rotation/quality.format)."""
        x, y, w, h = self.region
        width, height = self.size
        turn = f"{'!' if self.mirror else ''}{self.rotation}"
        return f"{x},{y},{w},{h}/{width},{height}/{turn}/{self.quality}.{self.format}"


def _bad(vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(f"Yêu cầu ảnh IIIF không hợp lệ: {vi}", f"Invalid IIIF image request: {en}")


def _region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if found := _PX_REGION.fullmatch(text):
        x, y, w, h = (int(v) for v in found.groups())
    elif found := _PCT_REGION.fullmatch(text):
        px, py, pw, ph = (float(v) for v in found.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    else:
        raise _bad(f"vùng “{text}”", f"region '{text}'")
    if w <= 0 or h <= 0 or x >= width or y >= height:
        raise _bad(f"vùng “{text}” nằm ngoài ảnh hoặc rỗng", f"region '{text}' is empty or outside the image")
    return x, y, min(w, width - x), min(h, height - y)


def _size(text: str, rw: int, rh: int) -> tuple[int, int]:
    if text.startswith("^"):
        raise _bad("ảnh không phóng to quá cỡ gốc (^)", "upscaling (^) is not supported")
    if text == "max":
        return rw, rh
    if found := _PCT_SIZE.fullmatch(text):
        scale = float(found.group(1)) / 100
        size = round(rw * scale), round(rh * scale)
    elif (found := _WH_SIZE.fullmatch(text)) and (found.group(2) or found.group(3)):
        size = _wh(found.group(1) == "!", found.group(2), found.group(3), rw, rh)
    else:
        raise _bad(f"cỡ “{text}”", f"size '{text}'")
    if size[0] > rw or size[1] > rh:
        raise _bad(f"cỡ “{text}” lớn hơn vùng ảnh", f"size '{text}' is larger than the region")
    if size[0] < 1 or size[1] < 1:
        raise _bad(f"cỡ “{text}” bằng 0", f"size '{text}' is zero")
    return size


def _wh(confined: bool, w_text: str, h_text: str, rw: int, rh: int) -> tuple[int, int]:
    if confined:
        if not (w_text and h_text):
            raise _bad("cỡ !w,h cần cả hai số", "size !w,h needs both numbers")
        scale = min(int(w_text) / rw, int(h_text) / rh)
        return max(1, round(rw * scale)), max(1, round(rh * scale))
    if w_text and h_text:
        return int(w_text), int(h_text)
    if w_text:
        return int(w_text), max(1, round(rh * int(w_text) / rw))
    return max(1, round(rw * int(h_text) / rh)), int(h_text)


def _rotation(text: str) -> tuple[int, bool]:
    mirror = text.startswith("!")
    degrees = text[1:] if mirror else text
    if degrees not in ("0", "90", "180", "270"):
        raise _bad(f"góc xoay “{text}” (chỉ 0, 90, 180, 270)", f"rotation '{text}' (only 0, 90, 180, 270)")
    return int(degrees), mirror


def _quality_format(text: str) -> tuple[str, str]:
    quality, dot, fmt = text.rpartition(".")
    if not dot or quality not in QUALITIES:
        raise _bad(f"chất lượng “{text}”", f"quality '{text}'")
    if fmt not in FORMATS:
        raise _bad(f"định dạng “{fmt}”", f"format '{fmt}'")
    return quality, fmt


def parse_plan(region: str, size: str, rotation: str, quality_format: str, width: int, height: int) -> ImagePlan:
    """The plan of one image request on an image of ``width`` × ``height`` pixels; ValidationFailed if invalid."""
    box = _region(region, width, height)
    out = _size(size, box[2], box[3])
    degrees, mirror = _rotation(rotation)
    quality, fmt = _quality_format(quality_format)
    return ImagePlan(box, out, degrees, mirror, quality, fmt)
