"""IIIF tile benchmark: 512-pixel tiles of scanned A4 pages through a live `sohoa serve` (the front door).

Usage: python bench/iiif_tiles.py [--clients 4] [--data DIR] [--no-docs]
Writes bench/results/iiif_tiles.json and the "iiif-tiles" section of docs/benchmarks.md.

Generated NĐ 30 pages at 300 dpi (2480×3508: colour PNG with a seal, greyscale PNG, JPEG as a scanner
writes it) are stored as the masters of published public documents. The server is started, each page's
``info.json`` is read, and then:

- *cold*: the first tile of each page (the master is decoded and its pyramid built in that request);
- *warm*: every tile of every page at every zoom level of ``info.json`` (scale factors 1…8), shuffled, each
  asked once the way OpenSeadragon asks it (``x,y,w,h/tw,/0/default.jpg``): rendered from the decoded page;
  then all of them mirrored (``!0``, so rendered again) by ``--clients`` clients at once;
- *repeated*: 200 of them asked again (answers from the disk cache);
- *after a restart*: a new server process asks the same 200 (nothing decoded: the disk cache);
- *baseline*: the whole page at full resolution (``full/max/0/default.jpg``, what a viewer without tiles
  loads), page decoded, rendered, in the same run.

Each request is timed from sending to the last byte (httpx, keep-alive). The target (issue #15) is a warm
p95 ≤ 50 ms per 512-pixel tile. Load average is recorded before and after: other work on the machine
shows in the numbers.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, update_docs, write_results
from _server import Server, init_data
from sohoa.db.models import Document, Page
from sohoa.samples import generate_corpus
from sohoa.services.platform.context import open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.settings import Settings

TARGET_P95_MS = 50.0
CONDITIONS = (("yellow_seal", "image/png"), ("clean300", "image/png"), ("jpeg", "image/jpeg"))


def _pages(samples: Path) -> list[tuple[bytes, str, int, int]]:
    """(master bytes, media type, width, height) of generated pages, two per scan condition."""
    out = []
    for condition, media_type in CONDITIONS:
        corpus = generate_corpus(samples / condition, documents=2, seed=15, condition=condition, multipage=False)
        for path in corpus.pages[:2]:
            with Image.open(path) as image:
                out.append((path.read_bytes(), media_type, image.width, image.height))
    return out


def populate(data: Path, samples: Path) -> list[tuple[int, int]]:
    """One published public document per condition; returns (document id, page no) of every page."""
    pages = _pages(samples)
    context = open_context(Settings(data=data, workers=1))
    ids: list[tuple[int, int]] = []
    try:
        with context.db.session() as session:
            for start in range(0, len(pages), 2):
                doc = Document(text="Quyết định", source_name=f"bench-{start}.png", type_name="Quyết định",
                               issued_date=date(2024, 1, 1), subject="Benchmark IIIF", access_level="public",
                               state="published", page_amount=2)
                session.add(doc)
                session.flush()
                for number, (blob, media_type, width, height) in enumerate(pages[start:start + 2], start=1):
                    master = store_bytes(session, context.store, blob, media_type=media_type, kind="master")
                    session.add(Page(document_id=doc.id, page_no=number, source_index=0, width=width,
                                     height=height, dpi=300, text="", master_object_id=master.id))
                    ids.append((doc.id, number))
    finally:
        context.close()
    return ids


def _timed(client: httpx.Client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed, len(response.content)


def _tile_urls(infos: dict[tuple[int, int], dict[str, Any]], rng: random.Random, turn: str = "0") -> list[str]:
    """Every tile of every page at every zoom level of ``info.json``, shuffled, as OpenSeadragon asks them."""
    urls = []
    for (doc, page), info in sorted(infos.items()):
        tile = info["tiles"][0]
        for factor in tile["scaleFactors"]:
            span = tile["width"] * factor
            for x in range(0, info["width"], span):
                for y in range(0, info["height"], span):
                    w, h = min(span, info["width"] - x), min(span, info["height"] - y)
                    urls.append(f"/iiif/3/image/{doc}-{page}/{x},{y},{w},{h}/{math.ceil(w / factor)},/{turn}/"
                                "default.jpg")
    rng.shuffle(urls)
    return urls


def _stats(times: list[float], sizes: list[int]) -> dict[str, Any]:
    ordered = sorted(times)
    return {"requests": len(times), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1),
            "p99_ms": round(ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)], 1),
            "max_ms": round(ordered[-1], 1), "mean_kib": round(statistics.mean(sizes) / 1024, 1)}


def _concurrent(base: str, urls: list[str], clients: int) -> dict[str, Any]:
    shares = [urls[i::clients] for i in range(clients)]

    def run(share: list[str]) -> list[tuple[float, int]]:
        with httpx.Client(base_url=base, timeout=60) as client:
            return [_timed(client, url) for url in share]

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for part in pool.map(run, shares) for r in part]
    wall = time.perf_counter() - started
    out = _stats([t for t, _ in results], [s for _, s in results])
    return out | {"clients": clients, "tiles_per_second": round(len(results) / wall, 1)}


def measure(data: Path, pages: list[tuple[int, int]], clients: int) -> dict[str, Any]:
    rng = random.Random(15)
    with Server(data, 1) as server, httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
        infos = {key: client.get(f"/iiif/3/image/{key[0]}-{key[1]}/info.json").json() for key in pages}
        cold = [_timed(client, f"/iiif/3/image/{d}-{p}/0,0,512,512/512,/0/default.jpg") for d, p in pages]
        urls = _tile_urls(infos, rng)
        rendered = [_timed(client, url) for url in urls]  # each asked once: rendered from the decoded page
        repeated = [_timed(client, url) for url in urls[:200]]  # asked again: the answer is on disk
        # mirrored, so that none of them was made before: rendered, several readers at once
        together = _concurrent(f"http://127.0.0.1:{server.port}", _tile_urls(infos, rng, "!0"), clients)
        # the whole page, asked once per quality (default and color are the same work here): rendered
        whole = [_timed(client, f"/iiif/3/image/{d}-{p}/full/max/0/{q}.jpg") for d, p in pages
                 for q in ("default", "color")]
    # A new server process (a restart, or another worker process): nothing decoded, the answers on disk.
    with Server(data, 1) as server, httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
        restarted = [_timed(client, url) for url in urls[:200]]
    sizes = sorted({(i["width"], i["height"]) for i in infos.values()})
    return {"pages": len(pages), "page_sizes": sizes,
            "cold_first_tile": _stats([t for t, _ in cold], [s for _, s in cold]),
            "warm_tiles": _stats([t for t, _ in rendered], [s for _, s in rendered]),
            "warm_tiles_concurrent": together,
            "repeated_tiles": _stats([t for t, _ in repeated], [s for _, s in repeated]),
            "after_restart_from_disk": _stats([t for t, _ in restarted], [s for _, s in restarted]),
            "baseline_whole_page": _stats([t for t, _ in whole], [s for _, s in whole])}


def markdown(result: dict[str, Any]) -> str:
    m, warm, together = result["machine"], result["warm_tiles"], result["warm_tiles_concurrent"]
    met = "met" if warm["p95_ms"] <= TARGET_P95_MS else "NOT met"
    rows = [("Warm 512-px tile, one client, each tile once (rendered)", warm),
            (f"Warm 512-px tile, {together['clients']} clients, mirrored (rendered)", together),
            ("The same tiles asked again (disk cache)", result["repeated_tiles"]),
            ("Cold: first tile of a page (decode + pyramid)", result["cold_first_tile"]),
            ("Tiles made before, new server process (disk cache)", result["after_restart_from_disk"]),
            ("Baseline: whole page at full resolution (page decoded, rendered)", result["baseline_whole_page"])]
    table = "\n".join(f"| {name} | {r['requests']} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['max_ms']} ms | "
                      f"{r['mean_kib']} KiB |" for name, r in rows)
    sizes = ", ".join(f"{w}×{h}" for w, h in result["page_sizes"])
    return f"""## IIIF tiles (`python bench/iiif_tiles.py`)

Measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, through a live `sohoa serve`
(httpx, keep-alive, timed to the last byte); {result['pages']} generated 300 dpi pages ({sizes}: colour PNG
with a seal, greyscale PNG, scanner JPEG) of published public documents; every tile of every zoom level
(the scale factors of `info.json`) in random order, asked as OpenSeadragon asks them. Load average before /
after:
{result['load_before']} / {result['load_after']} (other work on the machine shows in the numbers).

| Request | n | median | p95 | max | mean size |
|---|---|---|---|---|---|
{table}

Target: warm p95 ≤ {TARGET_P95_MS:.0f} ms per 512-px tile — **{met}** ({warm['p95_ms']} ms, one client;
{together['tiles_per_second']} tiles/s with {together['clients']} clients). A page is decoded once per server
process (the cold row) and then kept with its pyramid in memory (`SOHOA_IIIF_CACHE_MB`); a tile is a resample of
the nearest pyramid level and one JPEG encode, after the access policy's check (one database read). Every answer
made is also kept on disk (`SOHOA_IIIF_DISK_CACHE_MB`), so another process or a restarted server serves it
without decoding the page (the disk row). A browser revalidating a tile it holds gets 304 without any of that.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-iiif-") as tmp:
        root = args.data or Path(tmp)
        data = root / "data"
        init_data(data, 1)
        pages = populate(data, root / "samples")
        load_before = [round(v, 2) for v in os.getloadavg()]
        result = {"machine": machine(), "load_before": load_before, "target_p95_ms": TARGET_P95_MS,
                  **measure(data, pages, args.clients)}
        result["load_after"] = [round(v, 2) for v in os.getloadavg()]
    print(write_results("iiif_tiles", result))
    md = markdown(result)
    print(md)
    if not args.no_docs:
        update_docs("iiif-tiles", md)


if __name__ == "__main__":
    main()
