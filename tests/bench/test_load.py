"""The load benchmark's locustfile against a real embedded ``sohoa serve`` (``bench/load.py``): one scanning
station uploading through the web app's chunked upload and one official searching (staff page and API) for
about a minute (a station's sign-in is a deliberately slow password hash: on a busy machine 15 s saw no upload
at all); every request succeeds and the uploaded documents become searchable. No timing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load  # bench/ (not a package) is put on sys.path above


@pytest.mark.slow
def test_stations_and_officials_against_an_embedded_server(tmp_path: Path) -> None:
    results = load.main(["--profiles", "embedded", "--duration", "60", "--stations", "1", "--officials", "1",
                         "--preload", "3", "--scanned", "0", "--no-search-only", "--drain", "180", "--smoke",
                         "--cores", "1", "--run-dir", str(tmp_path / "run")])
    run = results["profiles"]["embedded"]
    requests = run["mixed"]["requests"]
    assert requests["Aggregated"]["failures"] == 0, run["mixed"]["errors"]
    assert requests.get("POST /scanning/uploads", {}).get("requests", 0) >= 1, (requests.keys(), run["mixed"])
    assert requests["PUT /scanning/uploads/{token}"]["failures"] == 0
    assert sum(row["requests"] for name, row in requests.items() if "search" in name) >= 1
    ingest = run["ingest"]
    assert ingest["uploads"] >= 1
    assert ingest["failed"] == 0
    assert ingest["done_not_found"] == 0
    # every uploaded PDF was found by the API search for the marker word only it holds
    assert ingest["searchable"] == ingest["uploads"], ingest
