"""The rules behind the field table: one check per kind of NĐ 30 field, and the date parser.

Every check takes a value already normalised by :meth:`sohoa.domain.fields.FieldSpec.normalise` (NFC,
look-alikes fixed, tone placement canonical, trimmed, dates in ISO form) and returns None when the value
is acceptable, else a (Vietnamese, English) message. Ingest validation and the review form both reach
these functions through the table, so a value gets the same verdict on every screen. docs/fields.md
lists the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sohoa.domain.codes import Secrecy, Urgency, type_by_name

__all__ = [
    "FIRST_YEAR",
    "NUMBER",
    "SECRECY_CHOICES",
    "URGENCY_CHOICES",
    "Check",
    "Message",
    "canonical_choice",
    "check_date",
    "check_notation",
    "check_number",
    "check_secrecy",
    "check_text",
    "check_type_name",
    "check_urgency",
    "display_date",
    "iso_date",
    "parse_date",
    "today_in_vietnam",
]

Message = tuple[str, str]
Check = Callable[[str], Message | None]

# The earliest issue year accepted: the founding of the state (2 September 1945). No text read for
# standards.md sets this bound [U]; change it here (docs/fields.md says so) for older fonds.
FIRST_YEAR = 1945
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# Số của văn bản: Arabic digits (ASCII only: '²' or '٣' are not numbers of a document), with the
# suffix a few registers add ('15-CV' style); the table's length (11) bounds the whole value.
NUMBER = re.compile(r"[0-9]+(?:-[A-ZĐ]+)?")
_NOTATION_GROUP = r"[A-ZĐ][A-Za-zĐđ0-9]*"
# Ký hiệu: groups joined by '-', optionally after the year of a legal-normative document (2025/QĐ-UBND).
CODE_NOTATION = re.compile(rf"(?:(?:19|20)\d{{2}}/)?{_NOTATION_GROUP}(?:-{_NOTATION_GROUP})*")
# Party documents (Hướng dẫn 36-HD/VPTW): 'CV/TU' in '15-CV/TU'.
PARTY_NOTATION = re.compile(rf"[A-ZĐ]+/{_NOTATION_GROUP}(?:-{_NOTATION_GROUP})*")
_DAY_FIRST = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")


def today_in_vietnam() -> date:
    """Today's date in Vietnam (the archive's time zone), whatever the server's own zone."""
    return datetime.now(VIETNAM).date()


def parse_date(text: str) -> date:
    """A date written dd/mm/yyyy, dd-mm-yyyy (day and month may have one digit) or yyyy-mm-dd (also with
    '/'); ValueError for anything else or an impossible day such as 31/02/2020."""
    value = text.strip()
    day_first = _DAY_FIRST.fullmatch(value)
    if day_first:
        day, month, year = (int(g) for g in day_first.groups())
        return date(year, month, day)
    year_first = _YEAR_FIRST.fullmatch(value)
    if year_first:
        year, month, day = (int(g) for g in year_first.groups())
        return date(year, month, day)
    raise ValueError(f"not a date: {text!r}")


def iso_date(text: str) -> str:
    """The ISO form (yyyy-mm-dd) of a date :func:`parse_date` accepts; the text unchanged otherwise."""
    try:
        return parse_date(text).isoformat()
    except ValueError:
        return text


def display_date(value: date | str | None) -> str:
    """dd/mm/yyyy, as people type and read it; an unparseable text is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return parse_date(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def check_text(_value: str) -> Message | None:
    """Place, issuing bodies, subject and signer: free text, bounded only by the table's length."""
    return None


def check_number(value: str) -> Message | None:
    """Số văn bản: Arabic digits (ASCII), optionally with a '-XX' register suffix."""
    if NUMBER.fullmatch(value):
        return None
    return "Số văn bản chỉ gồm chữ số Ả Rập", "The document number must be Arabic digits only"


def check_notation(value: str) -> Message | None:
    """Ký hiệu văn bản: 'KH-UBND', '2025/QĐ-UBND', or a Party sign such as 'CV/TU'."""
    if CODE_NOTATION.fullmatch(value) or PARTY_NOTATION.fullmatch(value):
        return None
    return ("Ký hiệu văn bản sai dạng (ví dụ KH-UBND, 2025/QĐ-UBND)",
            "Malformed sign (e.g. KH-UBND, 2025/QĐ-UBND)")


def check_type_name(value: str) -> Message | None:
    """Tên loại văn bản: one of the code list's types (NĐ 30 Phụ lục III and the legal-normative ones)."""
    if type_by_name(value) is not None:
        return None
    return (f"Tên loại văn bản '{value}' không có trong danh mục NĐ 30",
            f"Document type '{value}' is not in the NĐ 30 code list")


def check_date(value: str, *, today: date | None = None) -> Message | None:
    """Ngày ban hành: a real date, from 1 January :data:`FIRST_YEAR` to today (Vietnam), never later."""
    try:
        issued = parse_date(value)
    except ValueError:
        return ("Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)",
                "Invalid date (dd/mm/yyyy or yyyy-mm-dd)")
    if issued.year < FIRST_YEAR or issued > (today or today_in_vietnam()):
        return (f"Ngày ban hành nằm ngoài khoảng cho phép (từ năm {FIRST_YEAR} đến hôm nay)",
                f"Issue date out of range (from {FIRST_YEAR} to today)")
    return None


def _choice_check(choices: tuple[str, ...], vi: str, en: str) -> Check:
    def check(value: str) -> Message | None:
        return None if value in choices else (vi, en)

    return check


SECRECY_CHOICES = tuple(s.value for s in Secrecy)
URGENCY_CHOICES = tuple(u.value for u in Urgency)
check_secrecy = _choice_check(SECRECY_CHOICES, "Độ mật phải là Mật, Tối mật hoặc Tuyệt mật",
                              "Secrecy must be Mật, Tối mật or Tuyệt mật")
check_urgency = _choice_check(URGENCY_CHOICES, "Độ khẩn phải là Khẩn, Thượng khẩn hoặc Hỏa tốc",
                              "Urgency must be Khẩn, Thượng khẩn or Hỏa tốc")


def canonical_choice(value: str, choices: tuple[str, ...]) -> str:
    """The list's own spelling of ``value`` when it matches one case-insensitively ('MẬT' → 'Mật')."""
    folded = value.casefold()
    return next((c for c in choices if c.casefold() == folded), value)
