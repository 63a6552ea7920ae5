"""OCFL benchmark: how long `sohoa ocfl sync` takes over an archive of N hồ sơ, and what a scheduled pass costs
when nothing changed.

Each hồ sơ holds 2 documents, each with one page (a distinct PNG master, its OCR JSON) and a PDF, stored through
the object store (rows written directly, no OCR run). Measured: the first pass (each hồ sơ's AIP members built —
EAD, PREMIS, METS, sohoa.json — and written as OCFL v1: masters hard-linked from the store, metadata and schemas
written, inventories, a PREMIS event and an ocfl_objects row each), a second pass when nothing changed (members
built and compared, nothing written), and a pass after 10 % of the hồ sơ had their title edited (v2 each).
Usage: python bench/ocfl.py [--files 1000] [--no-write]. Writes bench/results/ocfl.json and the "ocfl" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, update_docs, write_results
from sohoa.db.models import Document, FileUnit, Page, StoredObject
from sohoa.services.platform.context import open_context
from sohoa.services.platform.objects import ObjectBatch
from sohoa.services.preservation.ocfl import sync_all
from sohoa.settings import Settings


def _png(n: int) -> bytes:
    image = Image.new("L", (600, 800), 255)
    image.putpixel((n % 600, (n // 600) % 800), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _pdf(n: int) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = f"văn bản {n}"
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def populate(ctx: Any, files: int) -> None:
    with ctx.db.session() as session:
        batch = ObjectBatch(session, ctx.store)
        for start in range(0, files, 100):
            blobs: list[tuple[bytes, str, str]] = []
            for n in range(start * 2, min(files, start + 100) * 2):
                blobs += [(_png(n), "image/png", "master"), (_pdf(n), "application/pdf", "pdf"),
                          (json.dumps({"page": n, "words": ["Quyết", "định"]}).encode(), "application/json", "ocr")]
            batch.store_all(blobs)
        batch.wait()
        session.commit()
        ids = list(session.scalars(select(StoredObject.id).order_by(StoredObject.id)))
        for f in range(files):
            unit = FileUnit(file_code=f"HS.{f:05d}", title=f"Hồ sơ số {f}", access_level="public")
            session.add(unit)
            session.flush()
            for d in range(2):
                master, pdf, ocr = ids[(f * 2 + d) * 3:(f * 2 + d) * 3 + 3]
                doc = Document(file_id=unit.id, doc_ordinal=d + 1, text="Quyết định", source_name="p.png",
                               page_amount=1, access_level="public", pdf_object_id=pdf, state="published")
                session.add(doc)
                session.flush()
                session.add(Page(document_id=doc.id, master_object_id=master, source_index=0, page_no=1,
                                 width=600, height=800, dpi=300, ocr_object_id=ocr))
        session.commit()


def _pass(ctx: Any) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    written = sum(1 for r in sync_all(ctx) if r.version)
    return time.perf_counter() - wall, time.process_time() - cpu, written


def _size(folder: Path) -> int:
    seen: set[int] = set()
    total = 0
    for path in folder.rglob("*"):
        info = path.lstat()
        if path.is_file() and info.st_ino not in seen:
            seen.add(info.st_ino)
            total += info.st_size
    return total


def run(files: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-ocfl-") as folder:
        data = Path(folder) / "data"
        ctx = open_context(Settings(data=data, workers=1, ocfl_interval_minutes=0, format_interval_minutes=0))
        try:
            populate(ctx, files)
            first = _pass(ctx)
            again = _pass(ctx)
            with ctx.db.session() as session:
                session.execute(update(FileUnit).where(FileUnit.id % 10 == 0).values(title="Hồ sơ đã sửa"))
                session.commit()
            edited = _pass(ctx)
            ocfl = data / "ocfl"
            count = sum(1 for _ in ocfl.rglob("*") if _.is_file())
            shared = sum(1 for p in ocfl.rglob("*") if p.is_file() and os.stat(p).st_nlink > 1)
            size = _size(ocfl)
        finally:
            ctx.close()
    return {"files": files, "documents": files * 2, "first_seconds": round(first[0], 2),
            "first_cpu_seconds": round(first[1], 2), "first_written": first[2],
            "files_per_second": round(files / first[0], 1), "again_seconds": round(again[0], 2),
            "again_cpu_seconds": round(again[1], 2), "again_written": again[2],
            "edited_seconds": round(edited[0], 2), "edited_written": edited[2], "ocfl_files": count,
            "hard_linked": shared, "ocfl_mib_own": round(size / 2**20, 1)}


def markdown(r: dict[str, Any], where: dict[str, Any]) -> str:
    return (f"### OCFL storage root (`sohoa ocfl sync`)\n\n"
            f"{r['files']} hồ sơ of 2 documents each (one page: PNG master, OCR JSON; a PDF), SQLite, local disk, "
            f"on {where['cpu']} ({where['cores']} cores shared with other work), {where['date']}:\n\n"
            f"| Pass | Wall | Hồ sơ/s | CPU | Versions written |\n|---|---|---|---|---|\n"
            f"| First (AIP members built, v1 written, PREMIS event + row each) | {r['first_seconds']} s | "
            f"{r['files_per_second']} | {r['first_cpu_seconds']} s | {r['first_written']} |\n"
            f"| Again, nothing changed (members built and compared) | {r['again_seconds']} s | "
            f"{round(r['files'] / max(r['again_seconds'], 0.001), 1)} | {r['again_cpu_seconds']} s | "
            f"{r['again_written']} |\n"
            f"| After 10 % of titles edited | {r['edited_seconds']} s | — | — | {r['edited_written']} |\n\n"
            f"The root then holds {r['ocfl_files']} files, {r['hard_linked']} of them hard links to the object "
            f"store (masters, PDFs, OCR: no second copy on the same disk); its own bytes (metadata, the XSD schemas "
            f"each object carries, inventories): {r['ocfl_mib_own']} MiB. The first pass's wall time is mostly "
            f"waiting for the disk (each file and its folder are fsynced before an inventory names them), so it "
            f"depends on the disk and on what else runs; the other passes are CPU (building each hồ sơ's AIP "
            f"members). Run: `python bench/ocfl.py "
            f"--files {r['files']}`.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.files)
    where = machine()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_write:
        write_results("ocfl", {"machine": where, **result})
        update_docs("ocfl", markdown(result, where))


if __name__ == "__main__":
    main()
