"""Code lists from NĐ 30/2020, TT 01/2011 and TT 05/2025 (provisional lists are marked so)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACCESS_LEVELS",
    "DOCUMENT_TYPES",
    "DOCUMENT_TYPES_EN",
    "LANGUAGE_CODES",
    "RETENTION_CODES",
    "ROLE_NAMES",
    "AccessLevel",
    "DocumentType",
    "Role",
    "Secrecy",
    "Urgency",
    "type_by_abbreviation",
    "type_by_name",
]


@dataclass(frozen=True)
class DocumentType:
    """One administrative document type (NĐ 30 Điều 7) with its sign abbreviation and TT 05 code."""

    name: str
    abbreviation: str | None
    tt05_code: str
    legacy_abbreviations: tuple[str, ...] = ()


# NĐ 30/2020 Phụ lục III: 29 types; TT 01/2011 abbreviations accepted when reading older documents.
DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("Nghị quyết", "NQ", "01"),
    DocumentType("Quyết định", "QĐ", "02"),
    DocumentType("Chỉ thị", "CT", "03"),
    DocumentType("Quy chế", "QC", "32"),
    DocumentType("Quy định", "QyĐ", "04"),
    DocumentType("Thông cáo", "TC", "32"),
    DocumentType("Thông báo", "TB", "07"),
    DocumentType("Hướng dẫn", "HD", "08"),
    DocumentType("Chương trình", "CTr", "09"),
    DocumentType("Kế hoạch", "KH", "10"),
    DocumentType("Phương án", "PA", "11"),
    DocumentType("Đề án", "ĐA", "12"),
    DocumentType("Dự án", "DA", "13"),
    DocumentType("Báo cáo", "BC", "14"),
    DocumentType("Biên bản", "BB", "20"),
    DocumentType("Tờ trình", "TTr", "15"),
    DocumentType("Hợp đồng", "HĐ", "21"),
    DocumentType("Công văn", None, "22"),
    DocumentType("Công điện", "CĐ", "23"),
    DocumentType("Bản ghi nhớ", "BGN", "24", ("GN",)),
    DocumentType("Bản thỏa thuận", "BTT", "25", ("TTh",)),
    DocumentType("Giấy ủy quyền", "GUQ", "16"),
    DocumentType("Giấy mời", "GM", "26"),
    DocumentType("Giấy giới thiệu", "GGT", "27"),
    DocumentType("Giấy nghỉ phép", "GNP", "28", ("NP",)),
    DocumentType("Phiếu gửi", "PG", "17"),
    DocumentType("Phiếu chuyển", "PC", "18"),
    DocumentType("Phiếu báo", "PB", "19"),
    DocumentType("Thư công", None, "29"),
    # Legal-normative and other types met in archives (not in NĐ 30's list of 29).
    DocumentType("Nghị định", "NĐ", "32"),
    DocumentType("Thông tư", "TT", "05"),
    DocumentType("Thông tư liên tịch", "TTLT", "06"),
    DocumentType("Luật", "L", "32"),
)

# The NĐ 30 document types' English names (a type is stored by its Vietnamese name): the pages' labels
# (sohoa.web.labels) and the portal record's English title and citation.
DOCUMENT_TYPES_EN: dict[str, str] = {
    "Nghị quyết": "Resolution",
    "Quyết định": "Decision",
    "Chỉ thị": "Directive",
    "Quy chế": "Regulation",
    "Quy định": "Rules",
    "Thông cáo": "Communiqué",
    "Thông báo": "Notice",
    "Hướng dẫn": "Guidance",
    "Chương trình": "Programme",
    "Kế hoạch": "Plan",
    "Phương án": "Scheme",
    "Đề án": "Project proposal",
    "Dự án": "Project",
    "Báo cáo": "Report",
    "Biên bản": "Minutes",
    "Tờ trình": "Submission",
    "Hợp đồng": "Contract",
    "Công văn": "Official letter",
    "Công điện": "Official dispatch",
    "Bản ghi nhớ": "Memorandum",
    "Bản thỏa thuận": "Agreement",
    "Giấy ủy quyền": "Power of attorney",
    "Giấy mời": "Invitation",
    "Giấy giới thiệu": "Letter of introduction",
    "Giấy nghỉ phép": "Leave permit",
    "Phiếu gửi": "Dispatch slip",
    "Phiếu chuyển": "Transfer slip",
    "Phiếu báo": "Notification slip",
    "Thư công": "Public letter",
    "Nghị định": "Decree",
    "Thông tư": "Circular",
    "Thông tư liên tịch": "Joint circular",
    "Luật": "Law",
}

_BY_ABBREVIATION = {t.abbreviation: t for t in DOCUMENT_TYPES if t.abbreviation}
_BY_ABBREVIATION.update({a: t for t in DOCUMENT_TYPES for a in t.legacy_abbreviations})
_BY_NAME = {t.name.lower(): t for t in DOCUMENT_TYPES}


def type_by_abbreviation(abbreviation: str) -> DocumentType | None:
    """The type whose sign abbreviation (NĐ 30 or TT 01/2011) is given, e.g. 'QĐ' → Quyết định."""
    return _BY_ABBREVIATION.get(abbreviation)


def type_by_name(name: str) -> DocumentType | None:
    """The type with this name, case-insensitively (tone placement must already be canonical)."""
    return _BY_NAME.get(name.strip().lower())


class AccessLevel(StrEnum):
    """Mức độ tiếp cận (TT 05/2025 replaces 'chế độ sử dụng'); secret never leaves the closed network."""

    PUBLIC = "public"
    CONDITIONAL = "conditional"
    INTERNAL = "internal"
    SECRET = "secret"


ACCESS_LEVELS = {
    AccessLevel.PUBLIC: ("Công khai", "Public"),
    AccessLevel.CONDITIONAL: ("Có điều kiện", "Conditional"),
    AccessLevel.INTERNAL: ("Nội bộ", "Internal"),
    AccessLevel.SECRET: ("Mật", "Secret"),
}


class Secrecy(StrEnum):
    """Độ mật (Luật Bảo vệ bí mật nhà nước 2018)."""

    MAT = "Mật"
    TOI_MAT = "Tối mật"
    TUYET_MAT = "Tuyệt mật"


class Urgency(StrEnum):
    """Độ khẩn (NĐ 30 Phụ lục I)."""

    KHAN = "Khẩn"
    THUONG_KHAN = "Thượng khẩn"
    HOA_TOC = "Hỏa tốc"


class Role(StrEnum):
    """Roles of people and systems (ARCHITECTURE §1)."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    QC_INSPECTOR = "qc_inspector"
    ARCHIVIST = "archivist"
    SCAN_OPERATOR = "scan_operator"
    UNIT_CLERK = "unit_clerk"
    UNIT_OFFICER = "unit_officer"


# Each role's name as people read it (Vietnamese, English): the one source of the pages' labels
# (sohoa.web.labels) and of the translator's Vietnamese names (sohoa.http.i18n).
ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.ADMIN: ("Quản trị viên", "Administrator"),
    Role.COORDINATOR: ("Điều phối", "Coordinator"),
    Role.QC_INSPECTOR: ("Kiểm tra chất lượng", "QC inspector"),
    Role.ARCHIVIST: ("Lưu trữ viên", "Archivist"),
    Role.SCAN_OPERATOR: ("Nhân viên số hóa", "Scan operator"),
    Role.UNIT_CLERK: ("Văn thư đơn vị", "Unit clerk"),
    Role.UNIT_OFFICER: ("Cán bộ đơn vị", "Unit officer"),
}


# TT 05/2025 'maintenance' (provisional [S]); retention is modelled as permanent/years, this maps codes.
RETENTION_CODES = {
    "01": "Vĩnh viễn",
    "02": "70 năm",
    "03": "50 năm",
    "04": "30 năm",
    "05": "20 năm",
    "06": "10 năm",
    "07": "Khác",
}

# TT 05/2025 'language' (provisional [S]).
LANGUAGE_CODES = {
    "01": "Tiếng Việt",
    "02": "Tiếng Anh",
    "03": "Tiếng Pháp",
    "04": "Tiếng Nga",
    "05": "Tiếng Trung",
    "06": "Việt–Anh",
    "07": "Việt–Nga",
    "08": "Việt–Pháp",
    "09": "Hán Nôm",
    "10": "Việt–Trung",
    "11": "Khác",
}
