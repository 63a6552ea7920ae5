"""A page image (IIIF, viewer) of a multi-page TIFF master kept in S3 (SeaweedFS): only the page's frame is read,
by byte ranges, not a copy of the whole master; the pixels are those the ingest embeds."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from sohoa.db.models import Page, StoredObject
from sohoa.services.platform.context import open_context
from sohoa.services.production.rebuild import LocalMasters, embed_bytes
from sohoa.settings import Settings
from sohoa.storage import s3_io
from sohoa.storage.s3 import S3ObjectStore
from tests._s3 import S3Bucket

pytestmark = pytest.mark.s3

FRAMES = 6
SIZE = (1200, 1000)  # 3.6 MB a frame, uncompressed RGB


def _tiff() -> bytes:
    frames = []
    for n in range(FRAMES):
        frame = Image.new("RGB", SIZE, (40 * n, 255 - 40 * n, 90))
        ImageDraw.Draw(frame).rectangle((100 + 50 * n, 100, 300 + 50 * n, 400), fill=(0, 0, 0))
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    return out.getvalue()


def test_a_tiff_page_is_read_by_ranges_from_s3(seaweed: S3Bucket, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    try:
        assert isinstance(ctx.store, S3ObjectStore)
        data = _tiff()
        put = ctx.store.put_bytes(data)
        master = StoredObject(sha256=put.sha256, size=put.size, media_type="image/tiff", kind="master")
        page = Page(source_index=4, dpi=300)

        read: list[int] = []
        ranges: list[Any] = []
        original = s3_io.RangeReader.readinto

        def counting(self: s3_io.RangeReader, buffer: Any) -> int:
            count = original(self, buffer)
            read.append(count)
            return count

        monkeypatch.setattr(s3_io.RangeReader, "readinto", counting)
        ctx.store.client.meta.events.register(
            "before-parameter-build.s3.GetObject", lambda params, **_: ranges.append(params.get("Range")))
        served, media_type = embed_bytes(ctx, master, page)
        assert media_type == "image/png"
        assert sum(read) < len(data) / 2, (sum(read), len(data))  # not the whole master
        assert any(r is not None for r in ranges)  # ranged GETs to the frame
        with Image.open(io.BytesIO(served)) as image:
            assert image.size == SIZE
            assert image.getpixel((10, 10)) == (160, 95, 90) and image.getpixel((350, 200)) == (0, 0, 0)

        # The same bytes as the whole-copy path the ingest and the PDF rebuild take.
        read.clear()
        with LocalMasters(ctx) as masters:
            assert embed_bytes(ctx, master, page, masters) == (served, media_type)
        assert sum(read) >= len(data)
    finally:
        ctx.close()
