"""Thumbnails: RGB JPEG, bounded size, aspect kept, transparency on white, clear errors."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from sohoa.domain.errors import EngineError
from sohoa.engines.thumbnails import make_thumbnail


def encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def thumb(data: bytes, **kwargs: int) -> Image.Image:
    result = Image.open(io.BytesIO(make_thumbnail(data, **kwargs)))
    assert result.format == "JPEG"
    assert result.mode == "RGB"
    return result


@pytest.mark.parametrize(("mode", "fmt"), [("RGB", "JPEG"), ("L", "JPEG"), ("1", "PNG"), ("RGB", "TIFF"),
                                           ("P", "PNG")])
def test_long_side_is_bounded_and_aspect_kept(mode: str, fmt: str) -> None:
    image = Image.new("RGB", (2480, 3508), "white")
    image.paste((10, 10, 10), (200, 300, 2200, 400))  # a dark bar, as a line of text would be
    result = thumb(encode(image.convert(mode), fmt))
    assert max(result.size) == 320
    assert result.size[0] == pytest.approx(320 * 2480 / 3508, abs=1)
    pixels = np.asarray(result.convert("L"))
    bar_row = round(350 * 320 / 3508)
    assert pixels[bar_row, result.size[0] // 2] < 100  # the bar is still visible
    assert pixels[5, 5] > 240


def test_custom_size_and_no_enlargement() -> None:
    assert max(thumb(encode(Image.new("RGB", (1000, 500)), "JPEG"), max_side=100).size) == 100
    assert thumb(encode(Image.new("RGB", (60, 40)), "PNG")).size == (60, 40)


def test_transparency_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    image.paste((0, 0, 200, 255), (0, 0, 200, 400))
    pixels = np.asarray(thumb(encode(image, "PNG")))
    assert pixels[150, 300].min() > 240
    assert pixels[150, 50, 2] > 150 > pixels[150, 50, 0]


def test_sixteen_bit_grey() -> None:
    ramp = (np.arange(400 * 300).reshape(300, 400) % 65536).astype(np.uint16)
    assert thumb(encode(Image.fromarray(ramp), "PNG")).size == (320, 240)


@pytest.mark.parametrize(("data", "max_side"),
                         [(b"garbage", 320), (encode(Image.new("L", (9, 9)), "PNG"), 0)])
def test_errors_are_engine_errors(data: bytes, max_side: int) -> None:
    with pytest.raises(EngineError) as caught:
        make_thumbnail(data, max_side=max_side)
    assert caught.value.vi != caught.value.en


def test_thumbnail_of_a_decoded_page_matches_the_rules() -> None:
    """The page worker's path: a decoded 1-bit A4 scan gives an RGB JPEG within the size bound."""
    import io as _io

    from PIL import Image as _Image

    from sohoa.engines.thumbnails import thumbnail_of

    page = _Image.new("1", (2480, 3508), 1)
    data = thumbnail_of(page, max_side=320)
    with _Image.open(_io.BytesIO(data)) as thumb:
        assert thumb.format == "JPEG" and thumb.mode == "RGB" and max(thumb.size) == 320
