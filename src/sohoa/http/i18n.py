"""Interface strings: Vietnamese is the source text, English the translation (missing → Vietnamese)."""

from __future__ import annotations

from fastapi import Request

from sohoa.domain.codes import ROLE_NAMES
from sohoa.domain.fields import FIELDS
from sohoa.http.i18n_en import EN

__all__ = ["FIELD_LABELS", "LANGUAGES", "VI_NAMES", "request_lang", "translate"]

LANGUAGES = ("vi", "en")


def request_lang(request: Request) -> str:
    """The interface language the signed-in browser chose (``/lang/{code}``); Vietnamese by default."""
    lang = request.session.get("lang") if "session" in request.scope else None
    return lang if lang in LANGUAGES else "vi"


def translate(text: str, lang: str) -> str:
    """The interface string in ``lang``; Vietnamese text is the key."""
    if lang == "en":
        return EN.get(text, text)
    return VI_NAMES.get(text, text)


# The NĐ 30 field identifiers as shown to people, from the field table (the Vietnamese labels are also
# the English translations' keys).
FIELD_LABELS = {spec.name: spec.label_vi for spec in FIELDS}


# Role identifiers shown in Vietnamese (their names come from the one role table, domain.codes.ROLE_NAMES),
# and the workflow states templates pass to the translator.
VI_ROLE = {role.value: vi for role, (vi, _en) in ROLE_NAMES.items()} | {
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
    "merged": "đã gộp",
    "extracted": "đã nhận dạng",
}

# Identifiers (roles, states, field names) that templates pass to the translator: their Vietnamese names.
VI_NAMES = VI_ROLE | FIELD_LABELS
