"""A SIP from another system — an E-ARK CSIP package with EAD only, no sohoa.json, no PREMIS — is taken in as a
normal intake: its file goes through the ingest pipeline into the hồ sơ its EAD names, the EAD's values are set on
the document, which waits for review; taken in twice, nothing changes. Two such packages: a minimal one written by
hand (a lenient reader), and a fully conformant one (representation METS, schemas, documentation) that
eark-validator accepts."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sohoa.db.models import Document, Event, FileUnit, PreservationEvent
from sohoa.domain.workflow import REVIEW_STATES
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.intake.service import ingest_package
from sohoa.services.preservation.packages.members import SCHEMA_FILES
from sohoa.services.preservation.packages.mets import MdRef, mets_xml
from sohoa.services.preservation.packages.model import PackageKind, PackageMember
from tests.preservation._package_world import fake_engine, page_png
from tests.preservation._validators import run_eark

EAD = """<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">
  <eadheader><eadid countrycode="VN">SIP-NGOAI-2019-07</eadid>
    <filedesc><titlestmt><titleproper>Hồ sơ tiếp công dân năm 2019</titleproper></titlestmt></filedesc>
  </eadheader>
  <archdesc level="file">
    <did>
      <unitid>HS-NGOAI-2019-07</unitid>
      <unittitle>Hồ sơ tiếp công dân năm 2019</unittitle>
      <unitdate normal="2019-01-02/2019-12-30">2019</unitdate>
    </did>
    <dsc>
      <c level="item">
        <did>
          <unitid>1</unitid>
          <unittitle>Báo cáo kết quả tiếp công dân quý I năm 2019</unittitle>
          <unitdate normal="2019-04-02">02/04/2019</unitdate>
          <origination><corpname>Ủy ban nhân dân xã Tân Phú</corpname></origination>
          <dao xlink:type="simple" xlink:href="representations/rep1/data/bao-cao.png"/>
        </did>
        <controlaccess><genreform>Báo cáo</genreform></controlaccess>
      </c>
    </dsc>
  </archdesc>
</ead>
"""

METS = """<?xml version="1.0" encoding="UTF-8"?>
<mets xmlns="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink"
      xmlns:csip="https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
      OBJID="SIP-NGOAI-2019-07" TYPE="Mixed" csip:CONTENTINFORMATIONTYPE="MIXED" csip:OAISPACKAGETYPE="SIP"
      PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml">
  <metsHdr CREATEDATE="2025-05-01T09:00:00+07:00" csip:OAISPACKAGETYPE="SIP">
    <agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>Phần mềm quản lý văn bản xã Tân Phú</name></agent>
  </metsHdr>
  <dmdSec ID="dmd-ead" CREATED="2025-05-01T09:00:00+07:00">
    <mdRef LOCTYPE="URL" MDTYPE="EAD" xlink:type="simple" xlink:href="metadata/descriptive/EAD.xml"
           MIMETYPE="text/xml" SIZE="{ead_size}" CHECKSUM="{ead_sha}" CHECKSUMTYPE="SHA-256"/>
  </dmdSec>
  <fileSec>
    <fileGrp USE="Representations/rep1/Data">
      <file ID="f1" MIMETYPE="image/png" SIZE="{png_size}" CHECKSUM="{png_sha}" CHECKSUMTYPE="SHA-256">
        <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="representations/rep1/data/bao-cao.png"/>
      </file>
    </fileGrp>
  </fileSec>
  <structMap TYPE="PHYSICAL" LABEL="CSIP">
    <div LABEL="SIP-NGOAI-2019-07"><div LABEL="Metadata" DMDID="dmd-ead"/>
      <div LABEL="Representations/rep1"><fptr FILEID="f1"/></div></div>
  </structMap>
</mets>
"""


def foreign_sip(folder: Path) -> Path:
    """The package described above: METS, EAD and one scanned page."""
    png = page_png(folder / "representations/rep1/data/bao-cao.png", 180)
    ead = folder / "metadata/descriptive/EAD.xml"
    ead.parent.mkdir(parents=True, exist_ok=True)
    ead.write_text(EAD, encoding="utf-8")
    data = {"ead_size": ead.stat().st_size, "ead_sha": hashlib.sha256(ead.read_bytes()).hexdigest(),
            "png_size": png.stat().st_size, "png_sha": hashlib.sha256(png.read_bytes()).hexdigest()}
    (folder / "METS.xml").write_text(METS.format(**data), encoding="utf-8")
    return folder


def conformant_sip(folder: Path) -> Path:
    """The same content as a CSIP SIP in full: root METS (documentation, schemas, representation), the
    representation's own METS listing the scan, EAD 2002 — still no sohoa.json and no PREMIS."""
    png = page_png(folder / "representations/rep1/data/bao-cao.png", 180)
    data = PackageMember("representations/rep1/data/bao-cao.png", hashlib.sha256(png.read_bytes()).hexdigest(),
                         png.stat().st_size, None, None, "image/png")
    ead = PackageMember.generated("metadata/descriptive/EAD.xml", EAD.encode("utf-8"), "text/xml")
    readme = PackageMember.generated("documentation/README.txt", "Gói nộp lưu của xã Tân Phú".encode(), "text/plain")
    shipped = resources.files("sohoa.services.preservation") / "schemas"
    schemas = [PackageMember.generated(f"schemas/{name}", shipped.joinpath(name).read_bytes(), "text/xml")
               for name in SCHEMA_FILES]
    created, kind = "2025-05-01T09:00:00+07:00", PackageKind.SIP_HOSO
    rep = PackageMember.generated("representations/rep1/METS.xml", mets_xml(
        objid="SIP-NGOAI-2019-07/rep1", label="rep1", kind=kind, created=created, base="representations/rep1/",
        mdrefs=[], groups=[("Data", [data])]), "text/xml")
    root = PackageMember.generated("METS.xml", mets_xml(
        objid="SIP-NGOAI-2019-07", label="Hồ sơ tiếp công dân năm 2019", kind=kind, created=created, base="",
        mdrefs=[MdRef("dmd", ead, "EAD")], groups=[("Documentation", [readme]), ("Schemas", schemas)],
        representations=[("rep1", rep)]), "text/xml")
    for member in (ead, readme, *schemas, rep, root):
        assert member.data is not None
        target = folder / member.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(member.data)
    return folder


@pytest.mark.parametrize("form", ["minimal", "conformant"])
def test_a_foreign_sip_lands_in_review(ctx: AppContext, tmp_path: Path, form: str) -> None:
    package = (foreign_sip if form == "minimal" else conformant_sip)(tmp_path / "SIP-NGOAI-2019-07")
    if form == "conformant":  # SIP14 asks for a note no schema-valid METS can carry (see test_packages.py)
        verdict = run_eark(package)
        assert verdict.structure_status == "WellFormed", verdict.output[-2000:]
        assert [e for e in verdict.errors if not e.startswith("SIP14:")] == []
    _lands_in_review(ctx, package)


@pytest.mark.postgres
def test_a_foreign_sip_on_postgresql(pg_ctx: AppContext, tmp_path: Path) -> None:
    _lands_in_review(pg_ctx, foreign_sip(tmp_path / "SIP-NGOAI-2019-07"))


def _lands_in_review(ctx: AppContext, package: Path) -> None:
    report = ingest_package(ctx, package, actor="archivist", engine_factory=fake_engine)
    assert report.foreign and report.documents_created == 1 and report.file_code == "HS-NGOAI-2019-07"
    with ctx.db.session() as session:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == "HS-NGOAI-2019-07")).scalar_one()
        assert file.title == "Hồ sơ tiếp công dân năm 2019" and str(file.start_date) == "2019-01-02"
        doc = session.execute(select(Document).where(Document.file_id == file.id)).scalar_one()
        assert doc.subject == "Báo cáo kết quả tiếp công dân quý I năm 2019"
        assert str(doc.issued_date) == "2019-04-02" and doc.organ_name == "Ủy ban nhân dân xã Tân Phú"
        assert doc.type_name == "Báo cáo" and doc.state in REVIEW_STATES and len(doc.pages) == 1
        assert session.scalars(select(PreservationEvent.event_type).where(
            PreservationEvent.document_id == doc.id)).all() == ["ingestion"]
        assert session.execute(select(func.count()).select_from(Event)
                               .where(Event.action == "package.ingested")).scalar_one() == 1
    again = ingest_package(ctx, package, actor="archivist", engine_factory=fake_engine)
    assert again.already
    with ctx.db.session() as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 1
