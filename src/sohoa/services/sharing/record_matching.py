"""How a record request's criterion matches a document: số/ký hiệu, land parcel, person's name.

Pure functions over a document's fields and text (tone-insensitive through ``sohoa.domain.text.fold``); the
candidates come from the search index and the access policy (:mod:`sohoa.services.sharing.record_requests`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.domain.errors import ValidationFailed
from sohoa.domain.text import fold, nfc

__all__ = ["Criterion", "code_score", "criterion_of", "name_score", "parcel_pairs", "parcel_score"]

# "45/QĐ-UBND", "45/2024/QĐ-UBND", "số 45/QĐ-UBND", or a bare number "45".
_CODE = re.compile(r"^\s*(?:s[ốôo]\s*:?\s*)?0*(\d{1,6})\s*(?:/\s*(?:(\d{4})\s*/\s*)?([^\s/][^/]*?))?\s*$",
                   re.IGNORECASE)
# Over folded text: "thửa (đất) số 123 (,) tờ bản đồ (số) 5" and the reverse order "tờ bản đồ số 5, thửa số 123".
_NO = r"(?:so\s*)?(?:[:.]\s*)?0*(\d{1,6})"
_PARCEL_FIRST = re.compile(r"\bthua\s*(?:dat\s*)?" + _NO + r"\b[^\d]{0,40}?\bto\s*ban\s*do\s*" + _NO + r"\b")
_SHEET_FIRST = re.compile(r"\bto\s*ban\s*do\s*" + _NO + r"\b[^\d]{0,40}?\bthua\s*(?:dat\s*)?" + _NO + r"\b")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Criterion:
    """One request criterion: ``kind`` is "code", "parcel" or "name"; ``query`` is what the index is asked."""

    kind: str
    number: str = ""        # code: số; parcel: thửa số
    notation: str = ""      # code: ký hiệu (folded, upper-case, no spaces), "" for a bare number
    year: int | None = None  # code: the year written in the sign (45/2024/QĐ-UBND), if any
    sheet: str = ""         # parcel: tờ bản đồ số
    name: str = ""          # name: NFC, single-spaced
    query: str = ""


def _squash(text: str) -> str:
    return _SPACES.sub("", fold(text)).upper()


def criterion_of(code: str | None, parcel: str | None, sheet: str | None, name: str | None) -> Criterion:
    """The single criterion of a request (exactly one of: code, parcel with its map sheet, name)."""
    given = [k for k, v in (("code", code), ("parcel", parcel or sheet), ("name", name)) if v and v.strip()]
    if len(given) != 1:
        raise ValidationFailed("Cần đúng một tiêu chí: số/ký hiệu, thửa đất (số thửa và số tờ bản đồ) hoặc họ tên",
                               "Give exactly one criterion: document number/sign, land parcel (parcel and map "
                               "sheet numbers) or a person's name")
    if code and code.strip():
        found = _CODE.match(nfc(code))
        if not found:
            raise ValidationFailed(f"Số/ký hiệu không hợp lệ: {code}", f"Invalid document number/sign: {code}")
        return Criterion("code", number=found[1], notation=_squash(found[3] or ""),
                         year=int(found[2]) if found[2] else None, query=nfc(code).strip())
    if parcel or sheet:
        if not (parcel and sheet and parcel.strip().isdigit() and sheet.strip().isdigit()):
            raise ValidationFailed("Cần số thửa và số tờ bản đồ (chữ số)", "Parcel and map sheet numbers are required")
        p, s = str(int(parcel)), str(int(sheet))
        return Criterion("parcel", number=p, sheet=s, query=f"thửa {p}")  # the sheet may be "05": checked by regex
    clean = _SPACES.sub(" ", nfc(name or "")).strip()
    if len(clean.split()) < 2:
        raise ValidationFailed("Cần họ và tên (ít nhất hai chữ)", "A full name (at least two words) is required")
    return Criterion("name", name=clean, query=f'"{clean}"')


def code_score(criterion: Criterion, code_number: str | None, code_notation: str | None,
               issued_year: int | None = None) -> float:
    """2 when số and ký hiệu both match, 1 when only a bare số was asked and it matches, else 0; a sign with a
    year (45/2024/QĐ-UBND) never matches a document issued in another year (numbers restart each year)."""
    number = (code_number or "").strip().lstrip("0")
    if number != criterion.number.lstrip("0") or (criterion.year and issued_year and issued_year != criterion.year):
        return 0.0
    if not criterion.notation:
        return 1.0
    return 2.0 if _squash(code_notation or "") == criterion.notation else 0.0


def parcel_pairs(text: str) -> set[tuple[str, str]]:
    """Every (thửa số, tờ bản đồ số) the text names, numbers without leading zeros."""
    folded = fold(text)
    pairs = {(str(int(a)), str(int(b))) for a, b in _PARCEL_FIRST.findall(folded)}
    return pairs | {(str(int(b)), str(int(a))) for a, b in _SHEET_FIRST.findall(folded)}


def parcel_score(criterion: Criterion, text: str) -> float:
    return 2.0 if (criterion.number, criterion.sheet) in parcel_pairs(text) else 0.0


def name_score(criterion: Criterion, text: str) -> float:
    """Occurrences of the name as whole words, tone-insensitively; the tones as typed count double."""
    folded_name = re.escape(fold(criterion.name)).replace(r"\ ", r"\s+")
    loose = len(re.findall(rf"(?<!\w){folded_name}(?!\w)", fold(text)))
    if not loose:
        return 0.0
    exact_name = re.escape(criterion.name.lower()).replace(r"\ ", r"\s+")
    exact = len(re.findall(rf"(?<!\w){exact_name}(?!\w)", nfc(text).lower()))
    return float(min(loose, 10) + min(exact, 10))
