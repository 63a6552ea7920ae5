"""Catalogue export in the national exchange formats: edXML envelopes valid against the shipped XSDs, TT 02/2019
CSV, fields round-tripped, never a độ mật record, public-only by default; SQLite and PostgreSQL; the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.db.models import Document, Event, FileUnit
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.sharing.edxml import DEFAULT_EDXML_NS, ELEMENTS, SOHOA_NS, xsd_files
from sohoa.services.sharing.exchange_export import export_catalogue
from sohoa.settings import Settings

from ..web import _helpers as helpers

FIELDS = {"type_name": "Quyết định", "code_number": "45", "code_notation": "QĐ-UBND", "place": "Hà Nội",
          "organ_name": "UBND phường Thử", "subject": "Về việc công nhận tổ hòa giải ở cơ sở",
          "signer_position": "Chủ tịch", "signer_full_name": "Nguyễn Văn An", "issued_date": date(2020, 3, 4),
          "doc_code": "000.00.00.H26.2020.01.01"}


def _world(ctx: AppContext) -> tuple[str, dict[str, int]]:
    _, (file_id,) = helpers.accession_with_files(ctx)
    docs = {
        "public": helpers.document(ctx, file_id, state="accepted", access_level="public", doc_ordinal=1, **FIELDS),
        "internal": helpers.document(ctx, file_id, state="accepted", access_level="internal", doc_ordinal=2,
                                     subject="Biên bản nội bộ"),
        "secret": helpers.document(ctx, file_id, state="accepted", access_level="internal", secrecy="mật",
                                   doc_ordinal=3, subject="MẬT-ĐỪNG-XUẤT"),
        "merged": helpers.document(ctx, file_id, state="merged", access_level="public", doc_ordinal=4),
    }
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        assert file is not None
        file.organ_id, file.file_catalog = "000.00.00.H26", 2020
        return file.file_code, docs


def _schema(tmp_path: Path, ns: str = DEFAULT_EDXML_NS) -> etree.XMLSchema:
    for name, body in xsd_files(ns).items():
        (tmp_path / name).write_bytes(body)
    return etree.XMLSchema(etree.parse(str(tmp_path / "edxml-archival.xsd")))


def _q(tag: str, ns: str = DEFAULT_EDXML_NS) -> str:
    return f"{{{ns}}}{tag}"


def test_edxml_is_valid_and_round_trips_the_fields(any_ctx: AppContext, tmp_path: Path) -> None:
    file_code, docs = _world(any_ctx)
    body = export_catalogue(any_ctx, "edxml", file_code=file_code, internal=True, actor="archivist")
    root = etree.fromstring(body)
    schema = _schema(tmp_path)
    assert schema.validate(root), schema.error_log
    assert "MẬT-ĐỪNG-XUẤT".encode() not in body  # độ mật never leaves, not even for an internal export
    envelopes = root.findall(_q("edXMLEnvelope"))
    refs = [int(e.findtext(f".//{{{SOHOA_NS}}}DocumentRef")) for e in envelopes]
    assert refs == [docs["public"], docs["internal"]] and root.get("count") == "2"
    header = envelopes[0].find(f"{_q('edXMLHeader')}/{_q('MessageHeader')}")
    assert header is not None
    for name, (path, _) in ELEMENTS.items():  # every field comes back from its element
        if name in FIELDS:
            text = header.findtext("/".join(_q(step) for step in path))
            assert text == (FIELDS[name].isoformat() if isinstance(FIELDS[name], date) else FIELDS[name]), name
    assert header.findtext(f"{_q('From')}/{_q('OrganId')}") == "000.00.00.H26.T1"
    assert envelopes[0].findtext(f".//{{{SOHOA_NS}}}FileCode") == file_code
    broken = etree.fromstring(body.replace(b"<edXML:Subject>", b"<edXML:Sbject>").replace(
        b"</edXML:Subject>", b"</edXML:Sbject>"))
    assert not schema.validate(broken)  # the XSD checks the names, not only well-formedness


def test_public_export_and_tt02_csv(any_ctx: AppContext) -> None:
    file_code, docs = _world(any_ctx)
    any_ctx.settings = any_ctx.settings.model_copy(update={"archive_identifier": "000.00.00.H26"})
    rows = list(csv.DictReader(io.StringIO(export_catalogue(any_ctx, "csv-tt02", file_code=file_code)
                                           .decode("utf-8-sig"))))
    assert len(rows) == 1  # public only by default
    row = rows[0]
    assert (row["CodeNumber"], row["CodeNotation"], row["TypeName"]) == ("45", "QĐ-UBND", "Quyết định")
    assert (row["IssuedDate"], row["Mode"], row["FileCode"]) == ("04/03/2020", "Công khai", file_code)
    assert (row["Identifier"], row["OrganId"], row["FileCatalog"], row["DocOrdinal"]) == (
        "000.00.00.H26", "000.00.00.H26", "2020", "1")
    assert row["Subject"] == FIELDS["subject"] and row["DocCode"] == FIELDS["doc_code"]
    with any_ctx.db.session() as session:  # a subject a spreadsheet would run as a formula is neutralised
        session.get(Document, docs["public"]).subject = "=HYPERLINK(\"http://x\")"  # type: ignore[union-attr]
    again = export_catalogue(any_ctx, "csv-tt02", file_code=file_code).decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(again)))["Subject"] == "'=HYPERLINK(\"http://x\")"
    with any_ctx.db.session() as session:
        audit = session.execute(select(Event).where(Event.action == "catalogue.export").order_by(Event.id)
                                ).scalars().first()
        assert audit is not None
        assert audit.payload["documents"] == [docs["public"]] and audit.payload["file"] == file_code
        unit_id = session.get(Document, docs["public"]).unit_id  # type: ignore[union-attr]
    assert unit_id is not None
    by_unit = export_catalogue(any_ctx, "edxml", unit="000.00.00.H26.T1")
    assert etree.fromstring(by_unit).get("count") == "1"


def test_refusals(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed):
        export_catalogue(ctx, "pdf", file_code="x")
    with pytest.raises(ValidationFailed):
        export_catalogue(ctx, "edxml")
    with pytest.raises(NotFound):
        export_catalogue(ctx, "edxml", file_code="NOPE")


def test_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path / "data"))
    ctx = open_context(Settings(data=tmp_path / "data"))
    try:
        file_code, _ = _world(ctx)
    finally:
        ctx.close()
    out = tmp_path / "catalogue.xml"
    done = CliRunner().invoke(app, ["export-catalogue", "--format", "edxml", "--file", file_code, "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert _schema(tmp_path).validate(etree.parse(str(out)))
    shown = CliRunner().invoke(app, ["export-catalogue", "--format", "csv-tt02", "--file", file_code, "--internal"])
    assert shown.exit_code == 0 and shown.stdout.count("\n") == 3  # the header and two records, never the secret
    bad = CliRunner().invoke(app, ["export-catalogue", "--format", "edxml", "--file", "NOPE"])
    assert bad.exit_code == 1 and "No file NOPE" in bad.output
