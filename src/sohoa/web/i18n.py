"""Interface strings: Vietnamese is the source text, English the translation (missing → Vietnamese)."""

from __future__ import annotations

from sohoa.web.i18n_en import EN

__all__ = ["LANGUAGES", "translate"]

LANGUAGES = ("vi", "en")


def translate(text: str, lang: str) -> str:
    """The interface string in ``lang``; Vietnamese text is the key."""
    if lang == "en":
        return EN.get(text, text)
    return VI_ROLE.get(text, text)


# Role identifiers shown in Vietnamese.
VI_ROLE = {
    "admin": "Quản trị viên",
    "coordinator": "Điều phối",
    "qc_inspector": "Kiểm tra chất lượng",
    "archivist": "Lưu trữ viên",
    "scan_operator": "Nhân viên số hóa",
    "unit_clerk": "Văn thư đơn vị",
    "unit_officer": "Cán bộ đơn vị",
    "review": "chờ kiểm duyệt",
    "unsorted": "chưa xếp hồ sơ",
    "qc": "chờ kiểm tra",
    "accepted": "đạt",
    "rework_scan": "quét lại",
    "rework_review": "duyệt lại",
    "registered": "đã đăng ký",
    "received": "đã nhận",
    "receiving": "đang tải lên",
    "queued": "chờ xử lý",
    "processing": "đang xử lý",
    "done": "xong",
    "failed": "lỗi",
}
