"""The portal's permanent links, citation, JSON-LD, sitemap and robots.txt, on SQLite and PostgreSQL.

A small archive of its own: a fonds, a public file and a public record with a mã định danh, public records
without one, a record that shares another's code, and records the public may not see (internal, độ mật,
unreviewed). What an anonymous reader, a search engine and a crawler get is checked against it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from sohoa.app import create_app
from sohoa.db.models import Document, FileUnit, Fonds, Unit
from sohoa.http.i18n_en import EN
from sohoa.index import make_index
from sohoa.portal import templating
from sohoa.services.catalogue import sitemap
from sohoa.services.catalogue.permalinks import identifier_of, resolve_identifier
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest_store import document_index_doc

CODE = "000.00.00.H26.2020.0000015"[:25]  # a mã định danh văn bản (25 characters at most)
SITE = "https://luutru.example.vn"

# The sitemaps.org 0.9 structure (sitemap.xsd and siteindex.xsd: loc an URI of 12 to 2,048 characters,
# lastmod a W3C date or date-time, changefreq and priority optional), written out here: tests read no network.
_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xsd:simpleType name="tLoc"><xsd:restriction base="xsd:anyURI">
    <xsd:minLength value="12"/><xsd:maxLength value="2048"/></xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tLastmod"><xsd:union memberTypes="xsd:date xsd:dateTime"/></xsd:simpleType>
  <xsd:simpleType name="tChangeFreq"><xsd:restriction base="xsd:string">
    <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/><xsd:enumeration value="daily"/>
    <xsd:enumeration value="weekly"/><xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
    <xsd:enumeration value="never"/></xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tPriority"><xsd:restriction base="xsd:decimal">
    <xsd:minInclusive value="0.0"/><xsd:maxInclusive value="1.0"/></xsd:restriction></xsd:simpleType>
  <xsd:complexType name="tUrl"><xsd:sequence>
    <xsd:element name="loc" type="tLoc"/>
    <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
    <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
    <xsd:element name="priority" type="tPriority" minOccurs="0"/>
  </xsd:sequence></xsd:complexType>
  <xsd:complexType name="tSitemap"><xsd:sequence>
    <xsd:element name="loc" type="tLoc"/>
    <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
  </xsd:sequence></xsd:complexType>
  <xsd:element name="urlset"><xsd:complexType><xsd:sequence>
    <xsd:element name="url" type="tUrl" minOccurs="0" maxOccurs="50000"/></xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="sitemapindex"><xsd:complexType><xsd:sequence>
    <xsd:element name="sitemap" type="tSitemap" maxOccurs="50000"/></xsd:sequence></xsd:complexType></xsd:element>
</xsd:schema>"""
SCHEMA = etree.XMLSchema(etree.fromstring(_XSD.encode()))
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@dataclass
class Archive:
    coded: int = 0  # public, in a public file of a fonds, with a mã định danh
    plain: list[int] = field(default_factory=list)  # public, no code
    twin: int = 0  # public, holds the same code as ``coded`` (a data error): keeps the derived form
    hidden: dict[str, int] = field(default_factory=dict)  # what the public may not see, by reason


def _doc(**values: object) -> Document:
    fields: dict[str, object] = {"source_name": "x.pdf", "page_amount": 1, "state": "published",
                                 "access_level": "public", "type_name": "Quyết định", "text": "Văn bản"}
    return Document(**(fields | values))


def build_archive(ctx: AppContext) -> Archive:
    archive = Archive()
    with ctx.db.session() as session:
        unit = Unit(identifier="000.00.00.H26.T9", name="UBND phường Thử", name_folded="ubnd phuong thu",
                    unit_type="phường")
        session.add(unit)
        session.flush()
        fonds = Fonds(code="P.THU", name="Ủy ban nhân dân phường Thử", unit_id=unit.id)
        session.add(fonds)
        session.flush()
        public_file = FileUnit(file_code="P.THU.2020.01.VP", title="Hồ sơ hòa giải năm 2020", unit_id=unit.id,
                               fonds_id=fonds.id, access_level="public")
        session.add(public_file)
        session.flush()
        docs = {
            "coded": _doc(file_id=public_file.id, unit_id=unit.id, doc_ordinal=3, doc_code=CODE, code_number="15",
                          code_notation="QĐ-UBND", issued_date=date(2020, 6, 5), organ_name="UBND phường Thử",
                          parent_organ_name="UBND quận Thử", subject="Về việc thành lập tổ hòa giải",
                          text="ỦY BAN NHÂN DÂN\nPHƯỜNG THỬ\n\nQUYẾT ĐỊNH\nVề việc thành lập tổ hòa giải"),
            "plain1": _doc(unit_id=unit.id, subject="Kế hoạch <năm> & “mục tiêu”", issued_date=date(2021, 1, 2)),
            "plain2": _doc(unit_id=unit.id),
            "twin": _doc(unit_id=unit.id, doc_code=CODE),
            "internal": _doc(unit_id=unit.id, access_level="internal", doc_code="MA.NOI.BO"),
            "secret": _doc(unit_id=unit.id, secrecy="Mật", doc_code="MA.MAT"),
            "review": _doc(unit_id=unit.id, state="review", doc_code="MA.CHO.DUYET"),
        }
        session.add_all(docs.values())
        session.flush()
        archive.coded, archive.twin = docs["coded"].id, docs["twin"].id
        archive.plain = [docs["plain1"].id, docs["plain2"].id]
        archive.hidden = {name: docs[name].id for name in ("internal", "secret", "review")}
    return archive


def _client(ctx: AppContext) -> TestClient:
    return TestClient(create_app(ctx, watch_hot_folders=False))


def _canonical(page: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]+)">', page)
    assert found, "no canonical link"
    return html.unescape(found.group(1))


def _json_ld(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json" id="json-ld">(.*?)</script>', page, re.S)
    assert found, "no JSON-LD"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def _derived(doc_id: int) -> str:
    return f"SOHOA.{doc_id:07d}"


# --- permanent links ----------------------------------------------------------------------------------------

def test_permalinks_resolve_to_the_record_and_are_canonical(any_ctx: AppContext) -> None:
    archive = build_archive(any_ctx)
    client = _client(any_ctx)
    page = client.get(f"/portal/r/{quote(CODE, safe='')}")
    assert page.status_code == 200
    assert _canonical(page.text) == f"http://testserver/portal/r/{CODE}"
    assert 'id="identifier">' + CODE in page.text and "Về việc thành lập tổ hòa giải" in page.text
    plain = archive.plain[1]
    page = client.get(f"/portal/r/{_derived(plain)}")
    assert page.status_code == 200 and _canonical(page.text) == f"http://testserver/portal/r/{_derived(plain)}"
    # The old address keeps working and names the permanent link as canonical.
    old = client.get(f"/portal/documents/{archive.coded}")
    assert old.status_code == 200 and _canonical(old.text) == f"http://testserver/portal/r/{CODE}"


def test_other_forms_of_an_identifier_move_to_the_canonical_one(any_ctx: AppContext) -> None:
    archive = build_archive(any_ctx)
    client = _client(any_ctx)
    plain = archive.plain[0]
    for asked, canonical in [(_derived(archive.coded), CODE), (f"sohoa.{plain}", _derived(plain))]:
        moved = client.get(f"/portal/r/{asked}?q=h%C3%B2a", follow_redirects=False)
        assert moved.status_code == 301, asked
        assert moved.headers["location"] == f"/portal/r/{quote(canonical, safe='')}?q=h%C3%B2a"
    # A code shared by two public records stays with the first; the other keeps its derived identifier.
    assert identifier_of(any_ctx, archive.twin) == _derived(archive.twin)
    assert resolve_identifier(any_ctx, CODE).document_id == archive.coded
    assert client.get(f"/portal/r/{_derived(archive.twin)}").status_code == 200


def test_what_the_public_may_not_see_is_an_unknown_identifier(any_ctx: AppContext) -> None:
    archive = build_archive(any_ctx)
    client = _client(any_ctx)
    unknown = client.get("/portal/r/SOHOA.9999999")
    assert unknown.status_code == 404 and 'id="error-title"' in unknown.text  # the portal's own page
    shape = re.sub(r"SOHOA\.9999999", "X", unknown.text)
    for reason, doc_id in archive.hidden.items():
        for identifier in (_derived(doc_id), {"internal": "MA.NOI.BO", "secret": "MA.MAT",
                                              "review": "MA.CHO.DUYET"}[reason]):
            answer = client.get(f"/portal/r/{identifier}")
            assert answer.status_code == 404, (reason, identifier)
            assert re.sub(re.escape(identifier), "X", answer.text) == shape, (reason, "the answer tells")
        assert client.get(f"/portal/documents/{doc_id}").status_code == 404
    assert client.get("/portal/r/" + "A" * 150).status_code == 404


# --- what the record page says about its record ----------------------------------------------------------------

def test_json_ld_meta_and_open_graph(ctx: AppContext) -> None:
    archive = build_archive(ctx)
    page = _client(ctx).get(f"/portal/r/{CODE}").text
    data = _json_ld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "DigitalDocument"
    assert data["name"] == "Quyết định số 15/QĐ-UBND" and data["identifier"] == CODE
    assert data["url"] == f"http://testserver/portal/r/{CODE}" == _canonical(page)
    assert data["dateCreated"] == "2020-06-05" and data["inLanguage"] == "vi"
    assert data["description"] == "Về việc thành lập tổ hòa giải"
    assert data["creator"] == {"@type": "GovernmentOrganization", "name": "UBND phường Thử",
                               "parentOrganization": {"@type": "GovernmentOrganization", "name": "UBND quận Thử"}}
    part = data["isPartOf"]
    assert isinstance(part, dict) and part["@type"] == "ArchiveComponent" and part["identifier"] == "P.THU.2020.01.VP"
    assert part["name"] == "Hồ sơ hòa giải năm 2020"
    assert part["isPartOf"] == {"@type": "Collection", "name": "Ủy ban nhân dân phường Thử", "identifier": "P.THU"}
    description = 'content="Về việc thành lập tổ hòa giải — UBND phường Thử — ngày 05 tháng 6 năm 2020"'
    assert f'<meta name="description" {description}>' in page
    assert f'<meta property="og:description" {description}>' in page
    assert '<meta property="og:title" content="Quyết định số 15/QĐ-UBND">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # Markup in a record's fields stays text: the JSON-LD cannot end its script element early.
    other = _client(ctx).get(f"/portal/r/{_derived(archive.plain[0])}").text
    assert _json_ld(other)["description"] == "Kế hoạch <năm> & “mục tiêu”"
    assert "<năm>" not in other


def test_citation_in_vietnamese_and_english(ctx: AppContext) -> None:
    build_archive(ctx)
    client = _client(ctx)
    today = re.compile(r"\d{2}/\d{2}/\d{4}")
    text = html.unescape(re.search(r'id="citation" class="citation">([^<]*)<', client.get(f"/portal/r/{CODE}").text)
                         .group(1))  # type: ignore[union-attr]
    assert text.startswith("UBND phường Thử, Quyết định số 15/QĐ-UBND ngày 05 tháng 6 năm 2020: "
                           "Về việc thành lập tổ hòa giải. Lưu tại Trung tâm Lưu trữ lịch sử Hà Nội, "
                           "phông “Ủy ban nhân dân phường Thử” (mã phông P.THU), hồ sơ P.THU.2020.01.VP "
                           "“Hồ sơ hòa giải năm 2020”, văn bản số 3. Mã định danh: " + CODE + ". "
                           f"Truy cập tại http://testserver/portal/r/{CODE}, ngày "), text
    assert today.fullmatch(text.rsplit("ngày ", 1)[1].rstrip("."))
    client.get("/lang/en")
    page = client.get(f"/portal/r/{CODE}").text
    text = html.unescape(re.search(r'id="citation" class="citation">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert text.startswith("UBND phường Thử, Quyết định No. 15/QĐ-UBND of 5 June 2020: Về việc thành lập tổ hòa "
                           "giải. Held by Trung tâm Lưu trữ lịch sử Hà Nội, fonds “Ủy ban nhân dân phường Thử” "
                           "(fonds code P.THU), file P.THU.2020.01.VP “Hồ sơ hòa giải năm 2020”, item 3. "
                           f"Identifier: {CODE}. Available at http://testserver/portal/r/{CODE} (accessed "), text
    assert "How to cite" in page and "Copy the citation" in page


def test_the_text_is_paragraphs_not_preformatted(ctx: AppContext) -> None:
    build_archive(ctx)
    page = _client(ctx).get(f"/portal/r/{CODE}").text
    assert "<pre" not in page
    assert '<div class="ocr-text" lang="vi"><p>ỦY BAN NHÂN DÂN\nPHƯỜNG THỬ</p><p>QUYẾT ĐỊNH\n' in page


def test_search_results_and_copy_tracking_link_to_permalinks(ctx: AppContext) -> None:
    archive = build_archive(ctx)
    with ctx.db.session() as session:
        doc = session.get(Document, archive.coded)
        assert doc is not None
        make_index(ctx.db.engine).upsert(session, document_index_doc(doc))
    page = _client(ctx).get("/portal", params={"q": "tổ hòa giải"}).text
    assert f'href="/portal/r/{CODE}?q=t%E1%BB%95%20h%C3%B2a%20gi%E1%BA%A3i"' in page


# --- search engines -------------------------------------------------------------------------------------------

def _locs(xml: bytes) -> list[str]:
    tree = etree.fromstring(xml)
    SCHEMA.assertValid(tree)
    return [str(loc) for loc in tree.xpath("//s:loc/text()", namespaces=NS)]


def _public(archive: Archive, base: str) -> set[str]:
    return {f"{base}/portal/r/{CODE}", *(f"{base}/portal/r/{_derived(i)}" for i in (*archive.plain, archive.twin))}


def test_sitemap_lists_exactly_the_public_records(any_ctx: AppContext) -> None:
    archive = build_archive(any_ctx)
    answer = _client(any_ctx).get("/sitemap.xml")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    tree = etree.fromstring(answer.content)
    assert tree.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = _locs(answer.content)
    assert sorted(locs) == sorted(_public(archive, "http://testserver")) and len(locs) == len(set(locs))
    assert len(tree.xpath("//s:lastmod", namespaces=NS)) == len(locs)
    assert _client(any_ctx).get("/sitemaps/1.xml").status_code == 404  # no pages while one file holds them all


def test_a_large_sitemap_is_an_index_of_pages(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = build_archive(any_ctx)
    monkeypatch.setattr(sitemap, "PAGE_URLS", 2)
    monkeypatch.setattr(sitemap, "BATCH", 1)  # the keyset walks batch after batch
    monkeypatch.setattr(sitemap, "CHUNK_CHARS", 100)  # and the answer goes out in many pieces
    client = _client(any_ctx)
    index = client.get("/sitemap.xml")
    assert etree.fromstring(index.content).tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    pages = _locs(index.content)
    assert pages and all(re.fullmatch(r"http://testserver/sitemaps/\d+\.xml", p) for p in pages)
    listed: list[str] = []
    for page in pages:
        locs = _locs(client.get(page.removeprefix("http://testserver")).content)
        assert 1 <= len(locs) <= 2
        listed += locs
    assert sorted(listed) == sorted(_public(archive, "http://testserver"))


def test_public_url_setting_and_robots(any_ctx: AppContext) -> None:
    archive = build_archive(any_ctx)
    robots = _client(any_ctx).get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert lines[0] == "User-agent: *" and "Allow: /portal" in lines
    for area in ("/api/", "/review", "/qc", "/admin", "/intake", "/scanning", "/search", "/our-records",
                 "/portal/copies/"):
        assert f"Disallow: {area}" in lines, area
    assert not any(line in ("Disallow: /portal", "Disallow: /") for line in lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    # A site behind a proxy names its public address (SOHOA_PUBLIC_URL): a process over the same database.
    proxied = open_context(any_ctx.settings.model_copy(update={"public_url": SITE}))
    try:
        client = _client(proxied)
        assert f"Sitemap: {SITE}/sitemap.xml" in client.get("/robots.txt").text.splitlines()
        assert sorted(_locs(client.get("/sitemap.xml").content)) == sorted(_public(archive, SITE))
        assert _canonical(client.get(f"/portal/documents/{archive.coded}").text) == f"{SITE}/portal/r/{CODE}"
    finally:
        proxied.close()


def test_every_portal_string_has_english(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal's pages in English ask the translator only for keys that have an English entry."""
    build_archive(ctx)
    asked: set[str] = set()
    original = templating.translate

    def recording(text: str, lang: str) -> str:
        if lang == "en":
            asked.add(text)
        return original(text, lang)

    monkeypatch.setattr(templating, "translate", recording)
    client = _client(ctx)
    client.get("/lang/en")
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(f"/portal/r/{CODE}").text)
    assert token is not None
    status = client.post(f"/portal/documents/{resolve_identifier(ctx, CODE).document_id}/copy", data={
        "csrf_token": token.group(1), "name": "Nguyễn Văn An", "id_number": "001090012345"})
    for path in ("/portal", "/portal?q=h%C3%B2a", f"/portal/r/{CODE}", "/portal/r/SOHOA.9999999",
                 "/portal/copies/nope", status.url.path):
        answer = client.get(path)
        assert answer.status_code in (200, 404) and '<html lang="en">' in answer.text, path
    assert len(asked) > 40
    assert sorted(key for key in asked if key not in EN) == []
