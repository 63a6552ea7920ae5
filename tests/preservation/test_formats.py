"""Format identification (PRONOM by siegfried) and the migration watch: real masters and derivatives made by a real
ingest are identified with the PUIDs the policy lists, garbage and risky PDFs are at risk, each identification is
a PREMIS event, passes resume and repeat nothing, and the report names the documents and pages at risk."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.db.models import Event, ObjectFormat, PreservationEvent, StoredObject
from sohoa.engines.formats import UNKNOWN, identify, identify_stream, pdf_flags
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.platform.store_keys import keyring_for
from sohoa.services.preservation.encryption import init_keys
from sohoa.services.preservation.events import EventType, Outcome, events_for
from sohoa.services.preservation.format_policy import load_policy
from sohoa.services.preservation.format_report import format_report
from sohoa.services.preservation.formats import (
    format_summary,
    formats_of,
    formats_task,
    identify_new,
    identify_objects,
    latest_object_id,
    pending_count,
)
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings
from sohoa.storage.objects import LocalObjectStore

from ..ingest._helpers import text_page
from ..ingest.test_ingest_fast import fake

POLICY = load_policy(None)


def _masters(folder: Path) -> list[Path]:
    """A PNG, a TIFF, a JPEG and an image-only PDF 1.4 (Pillow's) master."""
    folder.mkdir(parents=True, exist_ok=True)
    png = text_page(folder / "a.png", ["Quyết định số 12/QĐ-UBND"])
    image = Image.open(png).convert("RGB")
    image.save(folder / "b.tif", dpi=(300, 300), compression="tiff_lzw")
    image.save(folder / "c.jpg", dpi=(300, 300), quality=90)
    image.save(folder / "d.pdf", resolution=300)
    return [png, folder / "b.tif", folder / "c.jpg", folder / "d.pdf"]


def _js_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """A small archive made by the real ingest (fake OCR), plus a garbage object and a PDF with JavaScript."""
    base = tmp_path_factory.mktemp("formats")
    ctx = open_context(Settings(data=base / "data", workers=1))
    report = ingest_paths(ctx, _masters(base / "in"), engine_factory=fake)
    assert {i.state for i in report.items} == {"done"}, report.items
    with ctx.db.session() as session:
        garbage = b"\x00\x13garbage" + bytes(range(256)) * 4
        store_bytes(session, ctx.store, garbage, media_type="application/octet-stream", kind="master")
        store_bytes(session, ctx.store, _js_pdf(), media_type="application/pdf", kind="master")
        session.commit()
    yield ctx
    ctx.close()


def _by_object(ctx: AppContext) -> dict[str, ObjectFormat]:
    """Identification per (kind, original name or sha256)."""
    with ctx.db.session() as session:
        rows = session.execute(select(StoredObject, ObjectFormat).join(
            ObjectFormat, ObjectFormat.object_id == StoredObject.id)).all()
        session.expunge_all()
    return {f"{obj.kind}:{obj.original_name or obj.sha256}": row for obj, row in rows}


def test_masters_and_derivatives_get_the_expected_puids(archive: AppContext) -> None:
    first = identify_objects(archive, limit=3)  # a pass stopped early …
    assert first.identified == 3
    with archive.db.session() as session:
        assert pending_count(session) > 0
    rest = identify_objects(archive)  # … resumes where it stopped
    total = first.identified + rest.identified
    with archive.db.session() as session:
        objects = session.execute(select(func.count()).select_from(StoredObject)).scalar_one()
        assert pending_count(session) == 0
    assert total == objects
    assert rest.tool == "siegfried 1.11.9" and "DROID_SignatureFile_V" in rest.signature
    found = _by_object(archive)
    assert found["master:a.png"].puid == "fmt/11"  # PNG 1.0
    assert found["master:b.tif"].puid == "fmt/353"  # TIFF
    assert found["master:c.jpg"].puid == "fmt/43"  # JPEG JFIF 1.01
    assert found["master:d.pdf"].puid == "fmt/18"  # Pillow writes PDF 1.4: an old PDF version
    kinds: dict[str, set[str]] = {}
    for key, row in found.items():
        kinds.setdefault(key.split(":")[0], set()).add(row.puid)
        assert "extension mismatch" not in row.warning, (key, row.warning)
    assert kinds["pdf"] == {"fmt/477"}  # Sohoa's PDF/A-2b derivatives are identified as PDF/A-2b
    assert kinds["thumbnail"] == {"fmt/43"}
    assert kinds["ocr"] == {"fmt/817"}  # JSON: by name only, as JSON has no magic number (the policy says so)
    for key, row in found.items():
        verdict = POLICY.assess(row.puid, warning=row.warning, flags=row.flags)
        expected = key == "master:d.pdf" or row.puid in {UNKNOWN, "fmt/17"}
        assert verdict.at_risk == expected, (key, row.puid, verdict)
    assert POLICY.assess("fmt/477").level == "preferred"

    again = identify_objects(archive)  # nothing is due any more
    assert again.identified == 0 and again.missing == 0


def test_garbage_and_javascript_pdfs_are_at_risk_with_premis_events(archive: AppContext) -> None:
    identify_objects(archive)
    found = _by_object(archive)
    garbage = next(r for k, r in found.items() if k.startswith("master:") and r.puid == UNKNOWN)
    assert POLICY.assess(garbage.puid, warning=garbage.warning, flags=garbage.flags).at_risk
    scripted = next(r for r in found.values() if "javascript" in r.flags)
    verdict = POLICY.assess(scripted.puid, warning=scripted.warning, flags=scripted.flags)
    assert verdict.at_risk and "JavaScript" in verdict.reason
    with archive.db.session() as session:
        events = events_for(session, object_ids=[garbage.object_id, scripted.object_id],
                            event_type=EventType.FORMAT_IDENTIFICATION)
        by_object = {e.object_id: e for e in events}
        assert len(events) == 2  # one event per identification
        assert by_object[garbage.object_id].outcome == Outcome.FAILURE
        assert by_object[scripted.object_id].outcome == Outcome.WARNING
        assert by_object[scripted.object_id].payload["puid"] == "fmt/17"
        assert by_object[scripted.object_id].payload["registry"] == "PRONOM"
        assert "siegfried 1.11.9" in (by_object[scripted.object_id].detail or "")
        all_ids = session.execute(select(StoredObject.id)).scalars().all()
        identified = {e.object_id for e in events_for(session, object_ids=all_ids,
                                                      event_type=EventType.FORMAT_IDENTIFICATION)}
        assert identified == set(all_ids)
        at_risk_audit = session.execute(select(Event).where(Event.action == "formats.at_risk")).scalars().all()
        named = {i for e in at_risk_audit for i in (e.payload or {}).get("objects", [])}
        assert {garbage.object_id, scripted.object_id} <= named
        assert formats_of(session, [garbage.object_id])[garbage.object_id].puid == UNKNOWN


def test_report_names_the_documents_and_pages_at_risk(archive: AppContext) -> None:
    identify_objects(archive)
    with archive.db.session() as session:
        summary = format_summary(session, POLICY)
        report = format_report(session, POLICY)
    assert summary[0].at_risk  # at-risk formats come first
    counts = {(c.puid, c.flags): c for c in summary}
    assert counts[("fmt/477", "")].level == "preferred" and not counts[("fmt/477", "")].at_risk
    assert counts[("fmt/18", "")].at_risk and "PDF/A" in counts[("fmt/18", "")].reason
    assert counts[("fmt/17", "javascript")].at_risk
    assert report.pending == 0 and report.at_risk_total == 3
    old_pdf = next(o for o in report.at_risk if o.original_name == "d.pdf")
    assert old_pdf.placements and old_pdf.placements[0].role == "master"
    assert old_pdf.placements[0].page_no == 1 and old_pdf.placements[0].document_id > 0
    assert old_pdf.identified_at.endswith("+07:00")
    assert json.loads(json.dumps(report.as_json()))["at_risk_total"] == 3


def test_an_unreadable_object_is_flagged_once_and_retried(archive: AppContext) -> None:
    identify_objects(archive)
    with archive.db.session() as session:
        thumb = session.execute(select(StoredObject).where(StoredObject.kind == "thumbnail")).scalars().first()
        assert thumb is not None
        thumb_id, sha = thumb.id, thumb.sha256
        session.execute(delete(ObjectFormat).where(ObjectFormat.object_id == thumb_id))
        session.commit()
    path = archive.store.path(sha)  # type: ignore[attr-defined]
    kept = path.read_bytes()
    path.chmod(0o600)
    path.unlink()
    try:
        assert identify_objects(archive).missing == 1
        assert identify_objects(archive).missing == 0  # a pass tries it again only an hour later …
        assert identify_objects(archive, retry_unreadable_after=timedelta(0)).missing == 1  # (as the CLI does)
        with archive.db.session() as session:
            failures = [e for e in events_for(session, object_ids=[thumb_id],
                                              event_type=EventType.FORMAT_IDENTIFICATION)
                        if e.outcome == Outcome.FAILURE]
            assert len(failures) == 1  # … but recorded once
            assert formats_of(session, [thumb_id])[thumb_id].flags == "missing"
    finally:
        archive.store.restore_stored(sha, io.BytesIO(kept))
    assert identify_objects(archive, retry_unreadable_after=timedelta(0)).identified == 1  # back: identified
    with archive.db.session() as session:
        assert formats_of(session, [thumb_id])[thumb_id].puid == "fmt/43"


def test_policy_override_file(tmp_path: Path) -> None:
    override = tmp_path / "policy.toml"
    override.write_text('[formats."fmt/18"]\nlevel = "acceptable"\nreason = "chấp nhận / accepted here"\n',
                        encoding="utf-8")
    policy = load_policy(override)
    assert policy.assess("fmt/18").level == "acceptable"
    assert policy.assess("fmt/477").level == "preferred"  # the shipped entries stay
    assert policy.assess("fmt/99999").at_risk  # not in any policy
    bad = tmp_path / "bad.toml"
    bad.write_text('[formats."fmt/18"]\nlevel = "fine"\n', encoding="utf-8")
    with pytest.raises(Exception, match="fmt/18"):
        load_policy(bad)


def test_engine_on_kinds_and_streams(tmp_path: Path) -> None:
    png = text_page(tmp_path / "p.png", ["x"])
    with png.open("rb") as stream:
        assert identify_stream(stream, ".png").puid == "fmt/11"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert identify(empty).puid == UNKNOWN
    pdf = pikepdf.new()
    pdf.add_blank_page()
    locked = tmp_path / "locked.pdf"
    pdf.save(locked, encryption=pikepdf.Encryption(user="", owner="owner"))
    assert pdf_flags(locked) == ("encrypted",)
    plain = tmp_path / "plain.pdf"
    pdf.save(plain, force_version="1.7")
    assert identify(plain).puid == "fmt/276" and identify(plain).flags == ()


def test_cli_identify_and_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA", str(data))
    ctx = open_context(Settings(data=data, workers=1))
    try:
        with ctx.db.session() as session:
            store_bytes(session, ctx.store, b"\x01\x02\x03 no format", media_type="application/octet-stream",
                        kind="master")
            session.commit()
    finally:
        ctx.close()
    runner = CliRunner()
    done = runner.invoke(app, ["formats", "identify", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["identified"] == 1
    shown = runner.invoke(app, ["formats", "report", "--json"])
    assert shown.exit_code == 0, shown.output
    data_out = json.loads(shown.output)
    assert data_out["at_risk_total"] == 1 and data_out["at_risk"][0]["puid"] == UNKNOWN
    text = runner.invoke(app, ["formats", "report"])
    assert text.exit_code == 0 and "UNKNOWN" in text.output


@pytest.mark.postgres
def test_summary_on_postgresql(pg_ctx: AppContext) -> None:
    with pg_ctx.db.session() as session:
        store_bytes(session, pg_ctx.store, _js_pdf(), media_type="application/pdf", kind="master")
        store_bytes(session, pg_ctx.store, b"\x00 nothing", media_type="application/octet-stream", kind="master")
        session.commit()
    report = identify_objects(pg_ctx)
    assert report.identified == 2 and report.at_risk == 2
    with pg_ctx.db.session() as session:
        summary = format_summary(session, POLICY)
        assert {(c.puid, c.flags, c.count) for c in summary} == {("fmt/17", "javascript", 1), (UNKNOWN, "", 1)}
        assert format_report(session, POLICY).at_risk_total == 2
        first = format_report(session, POLICY, limit=1)  # the list stops at the limit, the total does not
        assert first.at_risk_total == 2 and len(first.at_risk) == 1
        assert len(session.execute(select(PreservationEvent)).scalars().all()) == 2
    assert identify_objects(pg_ctx, redo_all=True).identified == 2  # --all: every object again


def test_the_periodic_pass_of_the_web_process(tmp_path: Path) -> None:
    off = open_context(Settings(data=tmp_path / "off", format_interval_minutes=0))
    assert formats_task(off) is None
    off.close()
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    try:
        with ctx.db.session() as session:
            store_bytes(session, ctx.store, text_page(tmp_path / "p.png", ["x"]).read_bytes(), media_type="image/png",
                        kind="master")
            session.commit()
        task = formats_task(ctx)
        assert task is not None
        task.start()
        task.wake()  # the first pass comes one interval after start-up, or when woken
        for _ in range(200):
            if task.runs:
                break
            time.sleep(0.05)
        task.stop()
        assert task.runs >= 1
        with ctx.db.session() as session:
            assert pending_count(session) == 0
    finally:
        ctx.close()


def test_an_encrypted_object_is_identified_from_its_plaintext(tmp_path: Path) -> None:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    try:
        init_keys(ctx, "test")
        with ctx.db.session() as session:
            png = store_bytes(session, ctx.store, text_page(tmp_path / "p.png", ["mật"]).read_bytes(),
                              media_type="image/png", kind="master")
            session.commit()
            sha = png.sha256
        store = ctx.store
        assert isinstance(store, LocalObjectStore)
        if store.keyring is None:
            store.keyring = keyring_for(ctx.settings)
        store.encrypt_object(sha)
        assert store.is_encrypted(sha)
        with store.open_stored(sha) as stored:
            assert not stored.read(8).startswith(b"\x89PNG")  # kept as ciphertext …
        identify_objects(ctx)
        with ctx.db.session() as session:
            found = session.execute(select(ObjectFormat)).scalar_one()
        assert found.puid == "fmt/11"  # … identified as the PNG it is
    finally:
        ctx.close()


def test_after_an_ingest_only_what_it_stored_is_identified(ctx: AppContext, tmp_path: Path) -> None:
    with ctx.db.session() as session:
        store_bytes(session, ctx.store, b"\x00 before", media_type="application/octet-stream", kind="master")
        session.commit()
    mark = latest_object_id(ctx)
    report = ingest_paths(ctx, [text_page(tmp_path / "a.png", ["Quyết định"])], engine_factory=fake)
    assert report.items[0].state == "done"
    found = identify_new(ctx, mark)
    assert found is not None and found.identified >= 3  # master, OCR, thumbnail, PDF/A
    with ctx.db.session() as session:
        assert pending_count(session) == 1  # the object stored before the ingest waits for a pass
        assert session.execute(select(func.min(ObjectFormat.object_id))).scalar_one() > mark


def _pdfa_variants(pdfa: bytes) -> dict[str, bytes]:
    """Sohoa's PDF/A-2b with its XMP claim rewritten to each PDF/A part and conformance (same length)."""
    assert b"pdfaid:part>2<" in pdfa and b"pdfaid:conformance>B<" in pdfa
    return {f"{part}{level}": pdfa.replace(b"pdfaid:part>2<", f"pdfaid:part>{part}<".encode())
            .replace(b"pdfaid:conformance>B<", f"pdfaid:conformance>{level}<".encode())
            for part in "123" for level in "ABU" if (part, level) != ("1", "U")}


def test_every_puid_of_the_policy_is_what_siegfried_says(archive: AppContext, tmp_path: Path) -> None:
    """The shipped policy's PUIDs, each checked on a file made here (none is guessed)."""
    made: dict[str, Path] = {}
    with archive.db.session() as session:
        sha = session.execute(select(StoredObject.sha256).where(StoredObject.kind == "pdf")).scalars().first()
    assert sha is not None
    expected_pdfa = {"1A": "fmt/95", "1B": "fmt/354", "2A": "fmt/476", "2B": "fmt/477", "2U": "fmt/478",
                     "3A": "fmt/479", "3B": "fmt/480", "3U": "fmt/481"}
    for name, data in _pdfa_variants(archive.store.read(sha)).items():
        made[expected_pdfa[name]] = tmp_path / f"pdfa{name}.pdf"
        made[expected_pdfa[name]].write_bytes(data)
    pdf_versions = {"1.0": "fmt/14", "1.1": "fmt/15", "1.2": "fmt/16", "1.3": "fmt/17", "1.4": "fmt/18",
                    "1.5": "fmt/19", "1.6": "fmt/20", "1.7": "fmt/276", "2.0": "fmt/1129"}
    for version, puid in pdf_versions.items():
        pdf = pikepdf.new()
        pdf.add_blank_page()
        made[puid] = tmp_path / f"v{version}.pdf"
        pdf.save(made[puid], force_version=version)
    image = Image.open(text_page(tmp_path / "page.png", ["Hà Nội"])).convert("RGB")
    for puid, name, options in (("fmt/11", "x.png", {}), ("fmt/353", "x.tif", {}), ("fmt/43", "x.jpg", {}),
                                ("fmt/3", "x.gif", {}), ("fmt/116", "x.bmp", {}), ("fmt/566", "x.webp", {}),
                                ("x-fmt/392", "x.jp2", {})):
        image.save(tmp_path / name, **options)
        made[puid] = tmp_path / name
    for puid, name, text in (("fmt/817", "x.json", '{"a": 1}'), ("x-fmt/111", "x.txt", "xin chào"),
                             ("fmt/101", "x.xml", '<?xml version="1.0"?><a/>'),
                             ("fmt/471", "x.html", "<!DOCTYPE html><html><body>x</body></html>")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        made[puid] = tmp_path / name
    image.save(tmp_path / "89a.gif", comment=b"Sohoa")  # a comment makes Pillow write GIF 89a
    made["fmt/4"] = tmp_path / "89a.gif"
    for puid, chunk in (("fmt/12", (b"sRGB", b"\x00")), ("fmt/13", (b"iTXt", b"Title\x00\x00\x00vi\x00\x00x"))):
        info = PngImagePlugin.PngInfo()
        info.add(*chunk)  # PNG 1.1 and 1.2 are told apart by the chunks their versions brought
        image.save(tmp_path / f"{puid[4:]}.png", pnginfo=info)
        made[puid] = tmp_path / f"{puid[4:]}.png"
    jfif = bytearray((tmp_path / "x.jpg").read_bytes())
    assert jfif[6:11] == b"JFIF\x00"
    for puid, minor in (("fmt/42", 0), ("fmt/44", 2)):  # JFIF 1.00 and 1.02: the version bytes of APP0
        jfif[12] = minor
        made[puid] = tmp_path / f"jfif{minor}.jpg"
        made[puid].write_bytes(bytes(jfif))
    (tmp_path / "x.bin").write_bytes(bytes(range(256)) * 4)
    made["fmt/208"] = tmp_path / "x.bin"  # what siegfried calls an unknown '.bin' file, by its name only
    for puid, path in made.items():
        assert identify(path).puid == puid, (path.name, identify(path))
    assert set(POLICY.formats) <= set(made)
