"""Information package benchmark: the AIP members of a hồ sơ, SIP/AIP/DIP exports, validation.

One hồ sơ of ``--documents`` single-page documents (PNG masters, each its own document) built through the real
ingest with a fake OCR engine, on SQLite in a temporary data directory. Measured (wall and CPU of this process):
``aip_members`` (what an OCFL sync computes per hồ sơ), an AIP to a folder, an AIP as a zipped BagIt bag, a public
DIP (masking looked up per document), Sohoa's own ``validate_package`` of the AIP folder, and eark-validator on it
(offline, a subprocess) when ``.venv-validators`` is installed. Usage: python bench/packages.py [--documents 100]
[--no-write]. Writes bench/results/packages.json and the "packages" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.preservation's archive builder

from sqlalchemy import select
from tests.preservation._package_world import fake_engine, page_png

from _common import machine, update_docs, write_results
from sohoa.db.models import Document, FileUnit
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.packages import aip_members
from sohoa.services.preservation.packages.export import export_package
from sohoa.services.preservation.packages.validate import validate_package
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CODE = "HS-BENCH-01"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(action: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), _cpu()
    value = action()
    return time.perf_counter() - wall, _cpu() - cpu, value


def run(documents: int) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="sohoa-bench-packages-"))
    try:
        ctx = open_context(Settings(data=base / "data", workers=1))
        for n in range(documents):
            page_png(base / "scans" / f"s{n:04d}" / f"p{n:04d}.png", n % 250)
        ingest_paths(ctx, [base / "scans"], file_code=CODE, engine_factory=fake_engine)
        with ctx.db.session() as session:
            session.execute(select(FileUnit).where(FileUnit.file_code == CODE)).scalar_one().access_level = "public"
            for doc in session.scalars(select(Document)):
                doc.access_level = "public"
        rows: dict[str, dict[str, Any]] = {}
        with ctx.db.session() as session:
            file_id = session.execute(select(FileUnit.id).where(FileUnit.file_code == CODE)).scalar_one()
            wall, cpu, members = _timed(lambda: aip_members(ctx, session, file_id))
            assert isinstance(members, list)
            rows["aip_members"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "files": len(members)}
        for key, kind, fmt, out in (("aip_dir", "AIP_hoso", "dir", "aip"),
                                    ("aip_bag_zip", "AIP_hoso", "bagit-zip", "aip.zip"),
                                    ("dip_public", "DIP", "dir", "dip")):
            wall, cpu, report = _timed(lambda k=kind, f=fmt, o=out: export_package(ctx, k, base / o, file_code=CODE,
                                                                                   fmt=f))
            rows[key] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "files": report.written.files,  # type: ignore[attr-defined]
                         "bytes": report.written.bytes, "valid": report.valid}  # type: ignore[attr-defined]
        wall, cpu, problems = _timed(lambda: validate_package(base / "aip"))
        rows["validate"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "problems": len(problems)}  # type: ignore[arg-type]
        python = ROOT / ".venv-validators" / "bin" / "python"
        if python.exists():
            started = time.perf_counter()
            done = subprocess.run([str(python), str(ROOT / "tests/preservation/_eark_offline.py"), str(base / "aip")],
                                  capture_output=True, text=True, check=False)
            rows["eark"] = {"wall_s": round(time.perf_counter() - started, 3), "exit": done.returncode}
        ctx.close()
        return {"documents": documents, "machine": machine(), "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "rows": rows}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def markdown(result: dict[str, Any]) -> str:
    m, rows = result["machine"], result["rows"]
    names = {"aip_members": "`aip_members` (an OCFL sync's work per hồ sơ)",
             "aip_dir": "AIP → folder (write, fsync each file, validate, events)",
             "aip_bag_zip": "AIP → zipped BagIt bag", "dip_public": "Public DIP → folder (masking looked up)",
             "validate": "`validate_package` of the AIP folder (XSDs, every checksum)",
             "eark": "eark-validator on the AIP folder (offline, subprocess)"}
    lines = ["### Information packages (`python bench/packages.py`)", "",
             f"One hồ sơ of {result['documents']} single-page documents (PNG masters, PDF/A, OCR), SQLite, on "
             f"{m['cpu']} ({m['cores']} cores shared with other work), {result['at']}:", "",
             "| Step | Wall | CPU (this process) | Files | Bytes |", "|---|---|---|---|---|"]
    for key, label in names.items():
        if key in rows:
            row = rows[key]
            cpu = f"{row['cpu_s']} s" if "cpu_s" in row else "—"
            lines.append(f"| {label} | {row['wall_s']} s | {cpu} | {row.get('files', '—')} | "
                         f"{row.get('bytes', '—')} |")
    lines += ["", f"Run: `python bench/packages.py --documents {result['documents']}`."]
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
        write_results("packages", result)
        update_docs("packages", text)


if __name__ == "__main__":
    main()
