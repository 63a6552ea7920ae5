"""Mục lục hồ sơ nộp lưu (NĐ 30 Phụ lục V): columns, row parsing and row-by-row validation rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from datetime import date

from sohoa.domain.numbers import NumberError, parse_count
from sohoa.domain.text import fold, nfc

__all__ = [
    "COLUMNS",
    "InventoryRow",
    "Issue",
    "RowReport",
    "count_value",
    "map_header",
    "parse_retention",
    "parse_time_span",
    "validate_rows",
]

# Canonical column keys with their NĐ 30 headings (Vietnamese, English).
COLUMNS: dict[str, tuple[str, str]] = {
    "seq": ("Số TT", "No."),
    "notation": ("Số, ký hiệu hồ sơ", "File number and sign"),
    "title": ("Tiêu đề hồ sơ", "File title"),
    "time": ("Thời gian tài liệu", "Date range"),
    "retention": ("Thời hạn bảo quản", "Retention"),
    "sheets": ("Số tờ", "Sheets"),
    "pages": ("Số trang", "Pages"),
    "sheets_pages": ("Số tờ/Số trang", "Sheets/Pages"),
    "note": ("Ghi chú", "Note"),
}

# Folded heading prefixes → column key (order matters: the longest, most specific first).
_HEADINGS: tuple[tuple[str, str], ...] = (
    ("so to/so trang", "sheets_pages"),
    ("so to / so trang", "sheets_pages"),
    ("so to, so trang", "sheets_pages"),
    ("so tt", "seq"),
    ("stt", "seq"),
    ("so thu tu", "seq"),
    ("so, ky hieu", "notation"),
    ("so ky hieu", "notation"),
    ("so va ky hieu", "notation"),
    ("ky hieu", "notation"),
    ("tieu de", "title"),
    ("ten ho so", "title"),
    ("thoi gian", "time"),
    ("thoi han", "retention"),
    ("so to", "sheets"),
    ("so trang", "pages"),
    ("ghi chu", "note"),
)
_NOTATION = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-/_]*$")
_YEAR_MIN = 1900


def map_header(cells: Sequence[object]) -> dict[str, int]:
    """Column key → index for a header row; empty when the row is not a header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = " ".join(fold(str(cell or "")).split())
        for prefix, key in _HEADINGS:
            if text.startswith(prefix) and key not in found:
                found[key] = index
                break
    return found if {"notation", "title"} <= found.keys() else {}


@dataclass(frozen=True)
class Issue:
    """One problem in one cell: ``severity`` is 'error' (blocks the import) or 'warning'."""

    column: str
    code: str
    vi: str
    en: str
    severity: str = "error"


@dataclass(frozen=True)
class InventoryRow:
    """One row as read (raw cell texts) plus the values parsed from it."""

    line: int
    seq: str
    notation: str
    title: str
    time: str
    retention: str
    sheets: str
    pages: str
    note: str
    start_date: date | None = None
    end_date: date | None = None
    permanent: bool = False
    retention_years: int | None = None


@dataclass(frozen=True)
class RowReport:
    """A row with its issues (empty when valid)."""

    row: InventoryRow
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def _date_piece(text: str, end: bool) -> date | None:
    text = text.strip()
    parts = [int(p) for p in re.split(r"[/.\-]", text) if p.isdigit()]
    try:
        if len(parts) == 1:
            return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
        if len(parts) == 2:
            month, year = parts
            if end:
                following = date(year + (month == 12), month % 12 + 1, 1)
                return date.fromordinal(following.toordinal() - 1)
            return date(year, month, 1)
        if len(parts) == 3:
            return date(parts[2], parts[1], parts[0])
    except ValueError:
        return None
    return None


def parse_time_span(text: str) -> tuple[date, date] | None:
    """'2019', '2019-2020', '03/2019 - 12/2019', '05/03/2019 – 20/12/2019' → (start, end)."""
    value = nfc(text).strip().replace("–", " - ").replace("—", " - ")
    if not value:
        return None
    pieces = re.split(r"\s+-\s+|\s*đến\s*|(?<=\d{4})-(?=\d)", value)
    if len(pieces) == 1:
        start, end = _date_piece(pieces[0], False), _date_piece(pieces[0], True)
    elif len(pieces) == 2:
        start, end = _date_piece(pieces[0], False), _date_piece(pieces[1], True)
    else:
        return None
    return (start, end) if start and end else None


def parse_retention(text: str) -> tuple[bool, int | None] | None:
    """'Vĩnh viễn'/'VV' → (True, None); '20 năm'/'20' → (False, 20); anything else → None."""
    folded = " ".join(fold(text).split())
    if folded in ("vinh vien", "vv"):
        return True, None
    match = re.fullmatch(r"(\d{1,3})(\s*nam)?", folded)
    if match and int(match.group(1)) > 0:
        return False, int(match.group(1))
    return None


def count_value(raw: str) -> int | None:
    """A sheet or page count as typed ("12", "1.234", "1 234"); None when blank or not a whole number."""
    try:
        return parse_count(raw) if raw.strip() else None
    except NumberError:
        return None


def _int_issue(column: str, raw: str, label: tuple[str, str]) -> Issue | None:
    if not raw.strip():
        return Issue(column, "missing", f"Thiếu {label[0].lower()}", f"{label[1]} is missing")
    value = count_value(raw)
    if value is None or value <= 0:
        return Issue(
            column,
            "not_number",
            f"{label[0]} phải là số nguyên dương: «{raw}»",
            f"{label[1]} must be a positive whole number: «{raw}»",
        )
    return None


def _check_text(row: InventoryRow) -> list[Issue]:
    issues: list[Issue] = []
    if not row.notation:
        issues.append(Issue("notation", "missing", "Thiếu số, ký hiệu hồ sơ", "File number is missing"))
    elif len(row.notation) > 20 or not _NOTATION.match(row.notation):
        issues.append(
            Issue(
                "notation",
                "bad_code",
                f"Số, ký hiệu hồ sơ không hợp lệ (≤20 ký tự, ví dụ 01.TCCB): «{row.notation}»",
                f"Invalid file number (≤20 characters, e.g. 01.TCCB): «{row.notation}»",
            )
        )
    if not row.title:
        issues.append(Issue("title", "missing", "Thiếu tiêu đề hồ sơ", "File title is missing"))
    elif len(row.title) > 1000:
        issues.append(
            Issue(
                "title", "too_long", "Tiêu đề hồ sơ dài quá 1000 ký tự", "Title longer than 1000 characters"
            )
        )
    return issues


def _check_time(row: InventoryRow, today: date) -> list[Issue]:
    if not row.time:
        return [Issue("time", "missing", "Thiếu thời gian tài liệu", "Date range is missing")]
    if row.start_date is None or row.end_date is None:
        return [
            Issue(
                "time",
                "bad_date",
                f"Thời gian tài liệu không đọc được: «{row.time}» (ví dụ 2019 hoặc 03/2019 - 12/2020)",
                f"Unreadable date range: «{row.time}» (e.g. 2019 or 03/2019 - 12/2020)",
            )
        ]
    if row.start_date > row.end_date:
        return [
            Issue(
                "time",
                "date_order",
                "Thời gian bắt đầu sau thời gian kết thúc",
                "Start date is after end date",
            )
        ]
    if row.start_date.year < _YEAR_MIN or row.end_date > today:
        return [
            Issue(
                "time",
                "date_range",
                f"Thời gian tài liệu ngoài khoảng {_YEAR_MIN}–{today.year}",
                f"Date range outside {_YEAR_MIN}–{today.year}",
            )
        ]
    return []


def _check_retention(row: InventoryRow) -> list[Issue]:
    parsed = parse_retention(row.retention)
    if parsed is None:
        return [
            Issue(
                "retention",
                "bad_retention",
                f"Thời hạn bảo quản phải là «Vĩnh viễn» hoặc số năm: «{row.retention}»",
                f"Retention must be «Vĩnh viễn» (permanent) or a number of years: «{row.retention}»",
            )
        ]
    permanent, years = parsed
    if not permanent and years is not None and years < 5:
        return [
            Issue(
                "retention",
                "short_retention",
                "Hồ sơ bảo quản dưới 5 năm không thuộc diện nộp lưu (NĐ 30 Điều 31)",
                "Files kept under 5 years are not transferred (NĐ 30 Art. 31)",
            )
        ]
    return []


def _check_counts(row: InventoryRow) -> list[Issue]:
    issues = [i for i in (_int_issue("sheets", row.sheets, ("Số tờ", "Sheet count")),) if i]
    if row.pages.strip():
        issue = _int_issue("pages", row.pages, ("Số trang", "Page count"))
        if issue:
            issues.append(issue)
        elif not issues and (count_value(row.pages) or 0) < (count_value(row.sheets) or 0):
            issues.append(
                Issue("pages", "pages_lt_sheets", "Số trang nhỏ hơn số tờ", "Fewer pages than sheets")
            )
    if not row.seq.strip().isdigit():
        issues.append(
            Issue(
                "seq",
                "not_number",
                f"Số TT phải là số: «{row.seq}»",
                f"No. must be a number: «{row.seq}»",
                "warning",
            )
        )
    return issues


def validate_rows(
    rows: Iterable[InventoryRow], taken: Set[str] = frozenset(), today: date | None = None
) -> list[RowReport]:
    """Check every row: codes, dates, retention, counts, duplicates in the sheet and against ``taken``."""
    now = today or date.today()
    reports: list[RowReport] = []
    seen: dict[str, int] = {}
    for row in rows:
        issues = _check_text(row) + _check_time(row, now) + _check_retention(row) + _check_counts(row)
        key = row.notation.upper()
        if key and key in seen:
            issues.append(
                Issue(
                    "notation",
                    "duplicate",
                    f"Trùng số, ký hiệu hồ sơ với dòng {seen[key]}",
                    f"Same file number as line {seen[key]}",
                )
            )
        elif key and key in taken:
            issues.append(
                Issue(
                    "notation",
                    "already_registered",
                    "Hồ sơ này đã có trong một đợt giao nộp khác",
                    "This file is already registered in another accession",
                )
            )
        seen.setdefault(key, row.line)
        reports.append(RowReport(row, tuple(issues)))
    return reports
