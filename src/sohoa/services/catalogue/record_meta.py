"""What a public record page says about its record: the citation (Vietnamese or English) and schema.org JSON-LD.

Plain functions of a :class:`~sohoa.services.catalogue.public_record.PublicRecord`, the record's absolute
permanent link and the day of access; :func:`record_page_meta` reads the record and puts them together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sohoa.domain.codes import DOCUMENT_TYPES_EN
from sohoa.domain.text import fold, format_vn_date
from sohoa.services.catalogue.permalinks import permalink_path
from sohoa.services.catalogue.public_record import PublicRecord, public_record
from sohoa.services.platform.context import AppContext

__all__ = ["DESCRIPTION_CHARS", "RecordPageMeta", "citation", "description", "json_ld", "record_page_meta",
           "title"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the day of access is the reader's day in Vietnam

DESCRIPTION_CHARS = 160  # what search engines show of a meta description
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def _date_en(value: date) -> str:
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def title(record: PublicRecord, lang: str = "vi", *, original_type: bool = False) -> str:
    """``Quyết định số 15/QĐ-UBND`` (``Decision No.`` in English); the type alone when there is no number.
    ``original_type`` keeps the type as issued in English too (a citation quotes the document's own title)."""
    kind = record.type_name or ("Document" if lang == "en" else "Văn bản")
    if lang == "en" and not original_type:  # the type's English name; a type outside the NĐ 30 list as written
        kind = DOCUMENT_TYPES_EN.get(kind, kind)
    if not record.sign:
        return kind
    return f"{kind} {'No.' if lang == 'en' else 'số'} {record.sign}"


def description(record: PublicRecord) -> str:
    """The meta description: the trích yếu (or the title), issuer and date, at most 160 characters."""
    parts = [record.subject or title(record), record.issuer or "",
             format_vn_date(record.issued_date) if record.issued_date else ""]
    text = " — ".join(p for p in parts if p)
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1].rstrip() + "…"


# The words of the archive line per language: fonds code, fonds, file, item.
_ARCHIVE_WORDS = {"vi": ("mã phông", "phông", "hồ sơ", "văn bản số"), "en": ("fonds code", "fonds", "file", "item")}


def _archive(record: PublicRecord, archive: str, lang: str) -> str:
    code_word, fonds_word, file_word, item_word = _ARCHIVE_WORDS[lang]
    parts = [archive]
    if record.fonds_name or record.fonds_code:
        code = f" ({code_word} {record.fonds_code})" if record.fonds_code else ""
        parts.append(f"{fonds_word} “{record.fonds_name}”{code}" if record.fonds_name
                     else f"{fonds_word} {record.fonds_code}")
    if record.file_code:
        parts.append(f"{file_word} {record.file_code}" + (f" “{record.file_title}”" if record.file_title else ""))
    if record.ordinal:
        parts.append(f"{item_word} {record.ordinal}")
    return ", ".join(parts)


def citation(record: PublicRecord, url: str, accessed: date, *, archive: str, lang: str = "vi") -> str:
    """How to cite the record: issuer, type, số/ký hiệu, date, trích yếu, the archive (fonds, hồ sơ,
    identifier), the permanent link and the day of access — in Vietnamese, or English (``lang="en"``)."""
    head = title(record, lang, original_type=True)
    if lang == "en":
        when = f" of {_date_en(record.issued_date)}" if record.issued_date else ""
        held = f"Held by {_archive(record, archive, 'en')}. Identifier: {record.identifier}."
        link = f"Available at {url} (accessed {_date_en(accessed)})."
    else:
        when = f" {format_vn_date(record.issued_date)}" if record.issued_date else ""
        held = f"Lưu tại {_archive(record, archive, 'vi')}. Mã định danh: {record.identifier}."
        link = f"Truy cập tại {url}, ngày {accessed:%d/%m/%Y}."
    what = f"{head}{when}" + (f": {record.subject}" if record.subject else "")
    first = f"{record.issuer}, {what}." if record.issuer else f"{what}."
    return " ".join((first, held, link))


def _language(record: PublicRecord) -> str:
    value = (record.language or "vi").strip()
    return "vi" if value == "vi" or fold(value).startswith("tieng viet") else value


def _part_of(record: PublicRecord, archive: str) -> dict[str, Any] | None:
    fonds: dict[str, Any] | None = None
    if record.fonds_name or record.fonds_code:
        fonds = {"@type": "Collection", "name": record.fonds_name or record.fonds_code,
                 **({"identifier": record.fonds_code} if record.fonds_code else {})}
    if not record.file_code:
        return fonds
    file: dict[str, Any] = {"@type": "ArchiveComponent", "name": record.file_title or record.file_code,
                            "identifier": record.file_code,
                            "holdingArchive": {"@type": "ArchiveOrganization", "name": archive}}
    if fonds is not None:
        file["isPartOf"] = fonds
    return file


def json_ld(record: PublicRecord, url: str, *, archive: str) -> dict[str, Any]:
    """schema.org ``DigitalDocument`` of the record: name, identifier, dates, creator (a government
    organisation), language, the file and fonds it is part of, and its permanent link."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "DigitalDocument",
                            "name": title(record), "identifier": record.identifier, "url": url,
                            "inLanguage": _language(record)}
    if record.subject:
        data["description"] = record.subject
    if record.issued_date:
        data["dateCreated"] = record.issued_date.isoformat()
    if record.updated_at:
        data["dateModified"] = record.updated_at.date().isoformat()
    if record.issuer:
        creator: dict[str, Any] = {"@type": "GovernmentOrganization", "name": record.issuer}
        if record.parent_organ_name:
            creator["parentOrganization"] = {"@type": "GovernmentOrganization", "name": record.parent_organ_name}
        data["creator"] = creator
    if record.place:
        data["locationCreated"] = {"@type": "Place", "name": record.place}
    part_of = _part_of(record, archive)
    if part_of is not None:
        data["isPartOf"] = part_of
    return data


@dataclass(frozen=True)
class RecordPageMeta:
    """Everything a record page says about its record besides the record itself."""

    record: PublicRecord
    permalink: str  # absolute
    title: str
    description: str
    citation: str
    json_ld: str  # ready for a <script type="application/ld+json"> element


def _script_safe(data: dict[str, Any]) -> str:
    # Inside <script> only "</" could end the element early; escaping "<" keeps the JSON equal.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def record_page_meta(ctx: AppContext, document_id: int, base_url: str, lang: str = "vi",
                     today: date | None = None) -> RecordPageMeta:
    """The public record's permanent link (on ``base_url``), title, description, citation and JSON-LD;
    NotFound when the public may not see it."""
    record = public_record(ctx, document_id)
    url = base_url.rstrip("/") + permalink_path(record.identifier)
    archive = ctx.settings.copy_agency
    accessed = today or datetime.now(VN_TZ).date()
    return RecordPageMeta(record=record, permalink=url, title=title(record, lang), description=description(record),
                          citation=citation(record, url, accessed, archive=archive, lang=lang),
                          json_ld=_script_safe(json_ld(record, url, archive=archive)))
