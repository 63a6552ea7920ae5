"""Filling a store with generated objects for the preservation benchmarks (fixity, backup, S3): one mix of sizes
and kinds, stored through the application's own batch writer so rows and objects are what an ingest leaves."""

from __future__ import annotations

import os
from typing import Any

from sohoa.services.platform.objects import ObjectBatch

# masters 256 KiB, PDFs 128 KiB, OCR 16 KiB, thumbnails 8 KiB, in equal parts
MIX = ((256 * 1024, "image/tiff", "master"), (128 * 1024, "application/pdf", "pdf"),
       (16 * 1024, "application/json", "ocr"), (8 * 1024, "image/jpeg", "thumbnail"))


def fill_store(ctx: Any, objects: int) -> int:
    """Store ``objects`` objects of random bytes in the ``MIX`` (500 per batch); returns the bytes stored."""
    total = 0
    with ctx.db.session() as session:
        batch = ObjectBatch(session, ctx.store)
        for start in range(0, objects, 500):
            blobs = []
            for n in range(start, min(start + 500, objects)):
                size, media_type, kind = MIX[n % len(MIX)]
                blobs.append((os.urandom(size), media_type, kind))
                total += size
            batch.store_all(blobs)
        batch.wait()
    return total
