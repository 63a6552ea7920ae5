"""Format identification benchmark: objects per second and CPU of `sohoa formats identify` over N stored objects.

The objects are what an archive holds, in equal parts: PNG masters, JPEG thumbnails, PDF documents (opened with
pikepdf for the PDF flags too) and OCR JSON, each distinct (a counter in its bytes). Measured: a first pass over
all of them (siegfried, the PDF inspection, one object_formats row and one PREMIS event each, a commit per 100),
and a second pass when nothing is due (the query only). Usage: python bench/formats.py [--objects 10000]
[--no-write]. Writes bench/results/formats.json and the "formats" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, update_docs, write_results
from sohoa.services.platform.context import open_context
from sohoa.services.platform.objects import ObjectBatch
from sohoa.services.preservation.formats import identify_objects
from sohoa.settings import Settings


def _blobs(count: int) -> list[tuple[bytes, str, str]]:
    base = Image.new("RGB", (400, 300), "white")
    out: list[tuple[bytes, str, str]] = []
    for n in range(count):
        kind = n % 4
        if kind in (0, 1):
            image = base.copy()
            image.putpixel((n % 400, (n // 400) % 300), (n % 256, 0, 0))
            buffer = io.BytesIO()
            image.save(buffer, "PNG" if kind == 0 else "JPEG")
            out.append((buffer.getvalue(), "image/png" if kind == 0 else "image/jpeg",
                        "master" if kind == 0 else "thumbnail"))
        elif kind == 2:
            pdf = pikepdf.new()
            pdf.add_blank_page()
            pdf.docinfo["/Title"] = f"văn bản {n}"
            buffer = io.BytesIO()
            pdf.save(buffer, force_version="1.7")
            out.append((buffer.getvalue(), "application/pdf", "pdf"))
        else:
            out.append((json.dumps({"page": n, "words": ["Quyết", "định"]}).encode(), "application/json", "ocr"))
    return out


def run(objects: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-formats-") as folder:
        ctx = open_context(Settings(data=Path(folder) / "data", workers=1, format_interval_minutes=0))
        try:
            blobs = _blobs(objects)
            with ctx.db.session() as session:
                batch = ObjectBatch(session, ctx.store)
                for start in range(0, len(blobs), 500):
                    batch.store_all(blobs[start:start + 500])
                batch.wait()
                session.commit()
            cpu = time.process_time()
            first = identify_objects(ctx)
            cpu_first = time.process_time() - cpu
            second = identify_objects(ctx)
        finally:
            ctx.close()
    return {"objects": objects, "identified": first.identified, "seconds": round(first.seconds, 2),
            "objects_per_second": round(first.per_second, 1), "cpu_seconds": round(cpu_first, 2),
            "cpu_ms_per_object": round(1000 * cpu_first / max(first.identified, 1), 2),
            "nothing_due_seconds": round(second.seconds, 3), "tool": first.tool, "signature": first.signature}


def markdown(result: dict[str, Any], where: dict[str, Any]) -> str:
    return (f"### Format identification (`sohoa formats identify`)\n\n"
            f"{result['objects']} stored objects (PNG, JPEG, PDF 1.7, JSON in equal parts), {result['tool']} "
            f"({result['signature']}), SQLite, on {where['cpu']} ({where['cores']} cores shared with other work), "
            f"{where['date']}:\n\n"
            f"| Pass | Wall | Objects/s | CPU |\n|---|---|---|---|\n"
            f"| First (identify, inspect PDFs, row + PREMIS event each) | {result['seconds']} s | "
            f"{result['objects_per_second']} | {result['cpu_seconds']} s ({result['cpu_ms_per_object']} ms/object) |\n"
            f"| Again, nothing due | {result['nothing_due_seconds']} s | — | — |\n\n"
            f"Run: `python bench/formats.py --objects {result['objects']}`.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.objects)
    where = machine()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_write:
        write_results("formats", {"machine": where, **result})
        update_docs("formats", markdown(result, where))


if __name__ == "__main__":
    main()
