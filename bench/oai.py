"""OAI-PMH benchmark: what a harvester waits for on an archive of N public documents, through `sohoa serve`.

Times (wall, over HTTP on the same machine): the first page of a list on a fresh archive (the reconciliation
writes one oai_records row per document), a first page when nothing changed (the reconciliation reads every
document's metadata and writes nothing), a first page after 100 edits, a resumption page, a GetRecord, and a
whole harvest of every record with `sickle` (the independent client of the tests). No baseline system: the
figure to compare is the cost of the reconciliation, which a first page pays and a resumption page does not.
Usage: python bench/oai.py [--records 20000] [--no-write]
Writes bench/results/oai.json and the "oai" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sickle import Sickle
from sqlalchemy import insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server
from _common import machine, update_docs, write_results
from _server import Server, init_data
from sohoa.db.models import Document, FileUnit, Fonds, Unit
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings

TYPES = ("Quyết định", "Công văn", "Tờ trình", "Báo cáo", "Biên bản")


def populate(data: Path, records: int) -> None:
    """Units, fonds, files and ``records`` public, published documents (metadata only, no pages)."""
    ctx = open_context(Settings(data=data, workers=1))
    try:
        with ctx.db.session() as session:
            units = []
            for n in range(20):
                unit = Unit(identifier=f"000.00.00.H26.B{n:02d}", name=f"Phường {n}", name_folded=f"phuong {n}",
                            unit_type="phường")
                session.add(unit)
                session.flush()
                fonds = Fonds(code=f"FB{n:02d}", name=f"Phông UBND phường {n}", unit_id=unit.id)
                session.add(fonds)
                session.flush()
                file = FileUnit(file_code=f"HS.B{n:02d}.01", title=f"Hồ sơ {n}", unit_id=unit.id, fonds_id=fonds.id,
                                access_level="public")
                session.add(file)
                session.flush()
                units.append((unit.id, file.id))
            rows = [{"file_id": units[i % 20][1], "unit_id": units[i % 20][0], "source_name": f"b{i}.pdf",
                     "type_name": TYPES[i % 5], "code_number": str(i % 9999 + 1), "code_notation": "QĐ-UBND",
                     "issued_date": date(2000 + i % 25, 1 + i % 12, 1 + i % 28), "organ_name": "UBND phường",
                     "subject": f"Về việc giải quyết hồ sơ số {i} của công dân", "signer_full_name": "Nguyễn Văn A",
                     "signer_position": "Chủ tịch", "access_level": "public", "state": "published",
                     "page_amount": 2, "text": ""} for i in range(records)]
            for start in range(0, records, 5000):
                session.execute(insert(Document), rows[start:start + 5000])
    finally:
        ctx.close()


def edit(data: Path, count: int) -> None:
    ctx = open_context(Settings(data=data, workers=1))
    try:
        with ctx.db.session() as session:
            session.execute(update(Document).where(Document.id <= count).values(subject="Đã sửa trong kiểm duyệt"))
    finally:
        ctx.close()


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return round((time.perf_counter() - started) * 1000, 1), result


def measure(base: str, data: Path, records: int) -> dict[str, Any]:
    oai = f"{base}/oai"
    first = {"verb": "ListIdentifiers", "metadataPrefix": "nd30"}
    client = httpx.Client(timeout=600)
    cold_ms, _ = timed(lambda: client.get(oai, params=first))
    unchanged = [timed(lambda: client.get(oai, params=first))[0] for _ in range(5)]
    edit(data, 100)
    edited_ms, answer = timed(lambda: client.get(oai, params=first))
    token = answer.text.split("<resumptionToken")[1].split(">")[1].split("<")[0]
    pages = []
    for _ in range(20):
        ms, answer = timed(lambda t=token: client.get(oai, params={"verb": "ListIdentifiers", "resumptionToken": t}))
        pages.append(ms)
        token = answer.text.split("<resumptionToken")[1].split(">")[1].split("<")[0]
    gets = [timed(lambda n=n: client.get(oai, params={"verb": "GetRecord", "metadataPrefix": "nd30",
                                                       "identifier": f"oai:sohoa.local:doc/{n * 97 + 1}"}))[0]
            for n in range(20)]
    started = time.perf_counter()
    harvested = sum(1 for _ in Sickle(oai, timeout=600).ListRecords(metadataPrefix="oai_dc"))
    harvest_s = round(time.perf_counter() - started, 1)
    assert harvested == records, (harvested, records)
    return {"records": records, "first_page_fresh_ms": cold_ms, "first_page_unchanged_ms": unchanged,
            "first_page_after_100_edits_ms": edited_ms, "resumption_page_ms": pages, "get_record_ms": gets,
            "full_harvest_s": harvest_s, "full_harvest_records_per_s": round(records / harvest_s)}


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    med = statistics.median
    rows = [("first page, fresh archive (writes one row per document)", r["first_page_fresh_ms"]),
            ("first page, nothing changed (median of 5)", med(r["first_page_unchanged_ms"])),
            ("first page after 100 edits", r["first_page_after_100_edits_ms"]),
            ("resumption page (median of 20)", med(r["resumption_page_ms"])),
            ("GetRecord (median of 20)", med(r["get_record_ms"]))]
    table = ["| request (100 headers a page) | ms |", "|---|---|"] + [f"| {name} | {round(v, 1)} |" for name, v in rows]
    return ("## OAI-PMH reconciliation (`python bench/oai.py`)\n\n"
            f"{r['records']:,} public documents, SQLite, `sohoa serve` on {m['date']}, {m['cores']} cores, {m['cpu']}. "
            "A list's first page reconciles the `oai_records` table with every document (docs/oai-pmh.md; "
            "`SOHOA_OAI_SYNC_SECONDS=0` here, so every first page pays it — by default one pass per 30 s is "
            "shared by all harvesters); resumption pages do not. A whole harvest of every record (`oai_dc`, "
            "100 a page) with sickle: "
            f"{r['full_harvest_s']} s, {r['full_harvest_records_per_s']} records/s.\n\n" + "\n".join(table))


def _unlimited(data: Path, cores: int, **extra: str) -> dict[str, str]:
    """The server's environment: the per-token rate limit out of the way (a harvest is ~N/100 requests), and a
    full reconciliation before every list (what is measured)."""
    return _SOHOA_ENV(data, cores, SOHOA_API_RATE_PER_MINUTE="1000000", SOHOA_OAI_SYNC_SECONDS="0", **extra)


_SOHOA_ENV = _server.sohoa_env


def main() -> None:
    _server.sohoa_env = _unlimited
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-oai-") as tmp:
        data = Path(tmp) / "data"
        init_data(data, 1)
        populate(data, opts.records)
        with Server(data, 1) as server:
            result = measure(f"http://127.0.0.1:{server.port}", data, opts.records)
    result["machine"] = machine()
    text = markdown(result)
    print(text)
    if not opts.no_write:
        write_results("oai", result)
        update_docs("oai", text)


if __name__ == "__main__":
    main()
