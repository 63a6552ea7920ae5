"""Package intake benchmark: `sohoa ingest-package` of an AIP into an empty archive, and the round-trip check.

One hồ sơ of ``--documents`` single-page documents (PNG masters, each its own document) built through the real
ingest with a fake OCR engine, on SQLite in a temporary data directory, exported as an AIP folder and as a zipped
BagIt bag (`sohoa package aip`'s service). Measured (wall and CPU of this process): the intake of the folder into
an empty archive (validation with the package validator and intake's own check, objects stored by digest, records,
PREMIS and audit history, indexing), the intake of the zipped bag into another empty archive (unzip and bag
manifests too), the same folder taken in again (recognised, nothing changed), and ``compare_archives`` (every
field, every object re-hashed in both stores, every event). Usage: python bench/package_intake.py
[--documents 100] [--no-write]. Writes bench/results/package_intake.json and the "package-intake" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.preservation's archive builder

from tests.preservation._package_world import fake_engine, page_png

from _common import machine, update_docs, write_results
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.intake.compare import compare_archives, snapshot
from sohoa.services.preservation.intake.service import ingest_package
from sohoa.services.preservation.packages.export import export_package
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings

CODE = "HS-BENCH-IN-01"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(action: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), _cpu()
    value = action()
    return time.perf_counter() - wall, _cpu() - cpu, value


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(documents: int) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="sohoa-bench-intake-"))
    try:
        source = open_context(Settings(data=base / "one", workers=1))
        for n in range(documents):
            page_png(base / "scans" / f"s{n:04d}" / f"p{n:04d}.png", n % 250)
        ingest_paths(source, [base / "scans"], file_code=CODE, engine_factory=fake_engine)
        before = snapshot(source, CODE)
        folder = export_package(source, "AIP_hoso", base / "aip", file_code=CODE).written.path
        bag = export_package(source, "AIP_hoso", base / "aip.zip", file_code=CODE, fmt="bagit-zip").written.path
        rows: dict[str, dict[str, Any]] = {}
        for key, package, name in (("folder", folder, "two"), ("bag_zip", bag, "three")):
            target = open_context(Settings(data=base / name, workers=1))
            wall, cpu, report = _timed(lambda t=target, p=package: ingest_package(t, p, actor="bench"))
            rows[key] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "bytes": _size(package),
                         "documents": report.documents_created, "objects": report.objects,  # type: ignore[attr-defined]
                         "documents_per_s": round(report.documents_created / wall, 1)}  # type: ignore[attr-defined]
            if key == "folder":
                wall, cpu, again = _timed(lambda t=target: ingest_package(t, folder, actor="bench"))
                rows["again"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "bytes": _size(folder),
                                 "already": again.already}  # type: ignore[attr-defined]
                wall, cpu, diffs = _timed(lambda t=target: compare_archives(source, t, CODE, before=before))
                rows["compare"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                                   "differences": len(diffs)}  # type: ignore[arg-type]
            target.close()
        source.close()
        return {"documents": documents, "machine": machine(), "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "rows": rows}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def markdown(result: dict[str, Any]) -> str:
    m, rows = result["machine"], result["rows"]
    names = {"folder": "AIP folder → empty archive (validate, check, store, records, history, index)",
             "bag_zip": "AIP as a zipped BagIt bag → empty archive (+ unzip, bag manifests)",
             "again": "The same folder again (recognised by its METS digest; validated first)",
             "compare": "`compare_archives` (every field; every object re-hashed in both stores; events)"}
    lines = ["### Taking in packages (`python bench/package_intake.py`)", "",
             f"An AIP of one hồ sơ of {result['documents']} single-page documents (PNG masters, PDF/A, OCR), SQLite, "
             f"on {m['cpu']} ({m['cores']} cores shared with other work), {result['at']}:", "",
             "| Step | Wall | CPU (this process) | Package bytes | Documents/s |", "|---|---|---|---|---|"]
    for key, label in names.items():
        if key in rows:
            row = rows[key]
            lines.append(f"| {label} | {row['wall_s']} s | {row['cpu_s']} s | {row.get('bytes', '—')} | "
                         f"{row.get('documents_per_s', '—')} |")
    diffs = rows.get("compare", {}).get("differences")
    lines += ["", f"The round trip found {diffs} differences. Run: `python bench/package_intake.py --documents "
              f"{result['documents']}`."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.documents)
    text = markdown(result)
    print(text)
    if not args.no_write:
        write_results("package_intake", result)
        update_docs("package-intake", text)


if __name__ == "__main__":
    main()
