"""`metadata/descriptive/EAD.xml`: EAD 2002 of the hồ sơ (archdesc level="file") and its documents (c level="item").

TT 05/2025 field tags (fileCode, maintenance, mode, totalDoc, arcDocCode, typeDoc, codeNumber, …) that EAD has no
element for are carried in ``<odd type="tt05">`` as ``<list><defitem><label>tag</label><item>value</item>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from lxml import etree

from sohoa.db.models import Document, FileUnit
from sohoa.domain.codes import ACCESS_LEVELS, AccessLevel
from sohoa.services.preservation.packages.collect import Collected

__all__ = ["EAD_NS", "ead_xml"]

EAD_NS = "urn:isbn:1-931666-22-9"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_LANGS = {"vi": "vie", "tiếng việt": "vie", "en": "eng", "tiếng anh": "eng", "fr": "fre", "tiếng pháp": "fre"}


def _e(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{EAD_NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None and v})
    if text is not None:
        element.text = text
    return element


def _str(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _odd(parent: etree._Element, fields: Iterable[tuple[str, object]]) -> None:
    present = [(tag, _str(value)) for tag, value in fields if _str(value) is not None]
    if not present:
        return
    odd = _e(parent, "odd", type="tt05")
    listing = _e(odd, "list")
    for tag, value in present:
        item = _e(listing, "defitem")
        _e(item, "label", tag)
        _e(item, "item", value)


def _dates(did: etree._Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    first, last = start or end, end or start
    assert first is not None and last is not None
    normal = first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"
    text = normal.replace("/", " – ")
    _e(did, "unitdate", text, normal=normal, era="ce", calendar="gregorian")


def _language(did: etree._Element, language: str | None) -> None:
    code = _LANGS.get((language or "vi").strip().lower())
    lang = _e(did, "langmaterial")
    _e(lang, "language", language or "vi", langcode=code or "und")


def _access(parent: etree._Element, level: str) -> None:
    names = ACCESS_LEVELS.get(AccessLevel(level)) if level in set(AccessLevel) else None
    restrict = _e(parent, "accessrestrict", type=level)
    _e(restrict, "p", f"{names[0]} / {names[1]}" if names else level)


def _file(archdesc: etree._Element, file: FileUnit, data: Collected) -> None:
    did = _e(archdesc, "did")
    _e(did, "unitid", file.file_code, type="fileCode")
    _e(did, "unittitle", file.title or file.file_code)
    _dates(did, file.start_date, file.end_date)
    _language(did, file.language)
    if data.unit is not None:
        origination = _e(did, "origination", label="Đơn vị hình thành / creator")
        _e(origination, "corpname", data.unit.name, id=None, normal=data.unit.identifier)
    physdesc = _e(did, "physdesc")
    _e(physdesc, "extent", str(len(data.documents)), unit="documents")
    if file.page_total is not None:
        _e(physdesc, "extent", str(file.page_total), unit="pages")
    if file.sheet_total is not None:
        _e(physdesc, "extent", str(file.sheet_total), unit="sheets")
    if file.description:
        _e(did, "abstract", file.description)
    _access(archdesc, file.access_level)
    appraisal = _e(archdesc, "appraisal")
    _e(appraisal, "p", file.maintenance or ("Vĩnh viễn" if file.permanent else
                                            f"{file.retention_years} năm" if file.retention_years else "-"))
    _odd(archdesc, [("fileCode", file.file_code), ("arcFileCode", file.file_code), ("organId", file.organ_id),
                    ("fileCatalog", file.file_catalog), ("fileNotation", file.file_notation),
                    ("title", file.title), ("maintenance", file.maintenance),
                    ("retentionYears", file.retention_years), ("permanent", "1" if file.permanent else "0"),
                    ("mode", file.access_level), ("language", file.language), ("startDate", file.start_date),
                    ("endDate", file.end_date), ("keyword", file.keyword), ("totalDoc", file.doc_total),
                    ("numberOfPaper", file.sheet_total), ("numberOfPage", file.page_total),
                    ("format", file.physical_state), ("creator", file.creator), ("bloc", file.bloc),
                    ("fonds", data.fonds.code if data.fonds else None)])
    if file.keyword:
        control = _e(archdesc, "controlaccess")
        _e(control, "subject", file.keyword)


def _masked(doc: Document, mask: Callable[[str], str]) -> Document:
    """A detached copy of ``doc`` whose text fields went through ``mask`` (a public DIP's personal-data masking)."""
    copy = Document()
    for name in ("doc_code", "doc_ordinal", "type_name", "code_number", "code_notation", "issued_date", "place",
                 "organ_name", "parent_organ_name", "subject", "signer_position", "signer_full_name", "secrecy",
                 "urgency", "language", "page_amount", "access_level", "source_name"):
        value = getattr(doc, name)
        setattr(copy, name, mask(value) if isinstance(value, str) else value)
    return copy


def _document(dsc: etree._Element, doc: Document, key: str, pages: int) -> None:
    c = _e(dsc, "c", level="item", id=f"d-{key}")
    did = _e(c, "did")
    _e(did, "unitid", doc.doc_code or key, type="arcDocCode")
    _e(did, "unittitle", doc.subject or doc.type_name or doc.source_name)
    if doc.issued_date:
        _e(did, "unitdate", doc.issued_date.isoformat(), normal=doc.issued_date.isoformat(), era="ce",
           calendar="gregorian")
    _language(did, doc.language)
    if doc.organ_name:
        origination = _e(did, "origination", label="Cơ quan ban hành / issuer")
        _e(origination, "corpname", doc.organ_name)
    physdesc = _e(did, "physdesc")
    _e(physdesc, "extent", str(doc.page_amount or pages), unit="pages")
    if doc.subject:
        _e(did, "abstract", doc.subject, type="subject")
    _access(c, doc.access_level)
    _odd(c, [("arcDocCode", doc.doc_code), ("docOrdinal", doc.doc_ordinal), ("typeName", doc.type_name),
             ("codeNumber", doc.code_number), ("codeNotation", doc.code_notation),
             ("issuedDate", doc.issued_date), ("place", doc.place), ("organName", doc.organ_name),
             ("parentOrganName", doc.parent_organ_name), ("subject", doc.subject),
             ("signerPosition", doc.signer_position), ("signer", doc.signer_full_name),
             ("confidential", doc.secrecy), ("priority", doc.urgency), ("language", doc.language),
             ("pageCount", doc.page_amount or pages), ("mode", doc.access_level)])
    control = _e(c, "controlaccess")
    _e(control, "genreform", doc.type_name or "Văn bản")
    if doc.signer_full_name:
        _e(control, "persname", doc.signer_full_name, role=doc.signer_position or "signer")


def ead_xml(data: Collected, *, package_id: str, title: str,
            masks: Mapping[int, Callable[[str], str]] | None = None) -> bytes:
    """EAD 2002 for the package (valid against the shipped ``ead.xsd``); ``masks``: document id → the masking of
    its text fields (a public DIP)."""
    root = etree.Element(f"{{{EAD_NS}}}ead", nsmap={None: EAD_NS, "xlink": XLINK_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{EAD_NS} ../../schemas/ead.xsd")
    header = _e(root, "eadheader", langencoding="iso639-2b", scriptencoding="iso15924",
                dateencoding="iso8601", countryencoding="iso3166-1", repositoryencoding="iso15511")
    _e(header, "eadid", package_id, countrycode="VN")
    filedesc = _e(header, "filedesc")
    titlestmt = _e(filedesc, "titlestmt")
    _e(titlestmt, "titleproper", title)
    archdesc = _e(root, "archdesc", level="file" if data.file is not None else "otherlevel",
                  otherlevel=None if data.file is not None else "documents")
    if data.file is not None:
        _file(archdesc, data.file, data)
    else:
        did = _e(archdesc, "did")
        _e(did, "unitid", package_id)
        _e(did, "unittitle", title)
    dsc = _e(archdesc, "dsc") if data.documents else None
    for doc in data.documents:
        assert dsc is not None
        mask = (masks or {}).get(doc.id)
        _document(dsc, _masked(doc, mask) if mask else doc, data.keys[doc.id], len(data.pages.get(doc.id, [])))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
