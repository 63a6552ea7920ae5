"""End to end with real Tesseract on generated pages: fields and text vs truth, PDF/A, search, CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.db.models import Document, StoredObject
from sohoa.samples import SampleCorpus, generate_corpus
from sohoa.services.catalogue.catalog import search_documents
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest import IngestReport, ingest_paths
from sohoa.services.registry.units import import_hanoi_2025
from sohoa.settings import Settings

from ._helpers import cer, line_bag_cer

pytestmark = [pytest.mark.tesseract, pytest.mark.slow]
Ingested = tuple[AppContext, IngestReport]
EXACT_FIELDS = ("type_name", "code_number", "code_notation", "issued_date")


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> SampleCorpus:
    return generate_corpus(tmp_path_factory.mktemp("box"), documents=3, seed=101, condition="clean300")


@pytest.fixture(scope="module")
def ingested(box: SampleCorpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingested]:
    ctx = open_context(Settings(data=tmp_path_factory.mktemp("data"), workers=2))
    import_hanoi_2025(ctx)
    report = ingest_paths(ctx, box.pages, unit_identifier="HN.MOI.00070", file_code="H26.00070.2025.01.VP")
    yield ctx, report
    ctx.close()


def _documents(ctx: AppContext) -> list[Document]:
    with ctx.db.session() as session:
        return list(session.execute(select(Document).order_by(Document.id)).scalars())


def test_documents_fields_and_text_match_the_truth(box: SampleCorpus, ingested: Ingested) -> None:
    ctx, report = ingested
    assert all(i.state == "done" for i in report.items), report.items
    docs = _documents(ctx)
    assert len(docs) == len(box.documents)
    rates = []
    for doc, truth in zip(docs, box.documents, strict=True):
        assert doc.page_amount == len(truth.pages)
        for name in EXACT_FIELDS:
            value = getattr(doc, name)
            got = value.isoformat() if hasattr(value, "isoformat") else value
            assert got == truth.fields[name], (name, got, truth.fields[name])
        reference = "\n".join(truth.page_texts)
        rates.append((cer(reference, doc.text), line_bag_cer(reference, doc.text)))
    print("CER per document (reading order, line bag):", [(round(a, 4), round(b, 4)) for a, b in rates])
    assert max(b for _, b in rates) < 0.03
    assert all(d.state == "review" and d.file_id is not None for d in docs)


def test_pdfa_structure_and_text_layer(ingested: Ingested, box: SampleCorpus) -> None:
    ctx, _ = ingested
    doc = _documents(ctx)[0]
    with ctx.db.session() as session:
        pdf_obj = session.get(StoredObject, doc.pdf_object_id)
    assert pdf_obj is not None
    path = ctx.store.path(pdf_obj.sha256)
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
        assert len(pdf.pages) == doc.page_amount
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    truth = box.documents[0]
    assert f"{truth.fields['code_number']}/{truth.fields['code_notation']}" in text.replace(" ", "")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_search_with_and_without_tones(ingested: Ingested, box: SampleCorpus) -> None:
    ctx, _ = ingested
    first = _documents(ctx)[0]
    sign = f"{box.documents[0].fields['code_number']} / {box.documents[0].fields['code_notation']}"
    assert [r.document_id for r in search_documents(ctx, sign).results] == [first.id]
    with_tones = search_documents(ctx, "Cộng hòa xã hội chủ nghĩa")
    without = search_documents(ctx, "cong hoa xa hoi chu nghia")
    assert with_tones.total == without.total == len(box.documents)
    assert with_tones.results[0].exact and not without.results[0].exact
    assert {"document_id", "source", "fields", "score", "snippet"} <= set(vars(with_tones.results[0]))


def test_reingest_is_idempotent(ingested: Ingested, box: SampleCorpus) -> None:
    ctx, _ = ingested
    before = len(_documents(ctx))
    again = ingest_paths(ctx, box.pages, unit_identifier="HN.MOI.00070", file_code="H26.00070.2025.01.VP")
    assert {i.state for i in again.items} == {"duplicate"}
    assert len(_documents(ctx)) == before


def test_cli_json_contracts(box: SampleCorpus, ingested: Ingested,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sohoa.cli.main import app

    ctx, _ = ingested
    monkeypatch.setenv("SOHOA_DATA", str(ctx.settings.data))
    monkeypatch.setenv("SOHOA_WORKERS", "1")
    runner = CliRunner()
    extracted = json.loads(runner.invoke(app, ["extract", str(box.pages[0]), "--json"]).stdout)
    assert extracted["source"] == box.pages[0].name and extracted["pages"] == 1
    fields = extracted["documents"][0]["fields"]
    assert set(fields) >= {"type_name", "code_number", "code_notation", "issued_date", "place", "organ_name",
                           "parent_organ_name", "subject", "signer_position", "signer_full_name", "secrecy", "urgency"}
    assert fields["code_number"] == box.documents[0].fields["code_number"]
    assert 0 < extracted["documents"][0]["confidence"]["code_number"] <= 1
    found = json.loads(runner.invoke(app, ["search", "cong hoa", "--json"]).stdout)
    assert found["total"] == len(box.documents)
    shown = json.loads(runner.invoke(app, ["show", str(found["results"][0]["document_id"]), "--json"]).stdout)
    assert shown["documents"][0]["fields"]["type_name"]
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert status["ingest_items"]["done"] == len(box.pages)


def test_kill_during_ingest_then_resume(tmp_path: Path, box: SampleCorpus) -> None:
    """kill -9 mid-batch; a second run finishes with nothing lost and nothing duplicated."""
    import os
    import signal
    import sys
    import time

    env = {**os.environ, "SOHOA_DATA": str(tmp_path / "data"), "SOHOA_WORKERS": "2"}
    sohoa = str(Path(sys.executable).with_name("sohoa"))
    subprocess.run([sohoa, "init"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([sohoa, "ingest", *map(str, box.pages)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    db = tmp_path / "data" / "sohoa.db"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if db.exists() and b"processing" in db.read_bytes() + (Path(str(db) + "-wal").read_bytes()
                                                              if Path(str(db) + "-wal").exists() else b""):
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = subprocess.run([sohoa, "ingest", *map(str, box.pages), "--json"], env=env, capture_output=True,
                          text=True, check=True)
    summary = json.loads(done.stdout)
    assert {i["state"] for i in summary["items"]} <= {"done", "duplicate"}
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    try:
        docs = _documents(ctx)
        assert len(docs) == len(box.documents)
        assert sum(d.page_amount for d in docs) == len(box.pages)
    finally:
        ctx.close()
