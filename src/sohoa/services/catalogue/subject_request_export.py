"""The answer to a data subject request as a workbook: the request, its answer, and the records found.

Only what the request attached is listed — each document's identifiers (type, number, date, unit, hồ sơ) and the
subject's own values found in it, with any correction recorded beside them. No trích yếu and no other value of the
document: they may name other people.
"""

from __future__ import annotations

import io

from sohoa.domain.cells import xlsx_append, xlsx_finish
from sohoa.domain.personal import kind_label
from sohoa.services.catalogue.subject_requests import get_request
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["XLSX", "export_answer"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KINDS = {"access": "Cung cấp dữ liệu", "correction": "Chỉnh sửa dữ liệu", "restriction": "Hạn chế xử lý dữ liệu",
          "deletion": "Xóa dữ liệu"}
_STATUS = {"open": "Đang xử lý", "answered": "Đã trả lời", "refused": "Đã từ chối"}
_HEADER = ("Tên loại văn bản", "Số, ký hiệu", "Ngày ban hành", "Đơn vị", "Mã hồ sơ", "Trang", "Loại dữ liệu",
           "Giá trị", "Giá trị đã cải chính", "Ghi chú")


def export_answer(ctx: AppContext, principal: Principal, code: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the request's answer; read through the same rules as its page, and
    audited (``subject_request.export``: personal data leaves the system in it)."""
    from openpyxl import Workbook

    view = get_request(ctx, principal, code)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Trả lời"
    row = view.row
    for label, value in (("Mã yêu cầu", row.code), ("Loại yêu cầu", _KINDS.get(row.request_kind, row.request_kind)),
                         ("Chủ thể dữ liệu", row.subject_name), ("Người yêu cầu", row.requester),
                         ("Ngày nhận", row.received_at.date()), ("Trạng thái", _STATUS.get(row.status, row.status)),
                         ("Nội dung trả lời", view.answer or "")):
        xlsx_append(sheet, [label, value])
    xlsx_append(sheet, [])
    header_row = sheet.max_row + 1
    xlsx_append(sheet, list(_HEADER))
    corrections = {i.datum_id: i for i in view.items if i.action == "correction"}
    listed: set[tuple[int, int | None]] = set()
    for item in view.items:
        key = (item.document_id, item.datum_id)
        if item.action == "correction" and key in listed:
            continue
        listed.add(key)
        fixed = corrections.get(item.datum_id) if item.datum_id else None
        xlsx_append(sheet, [item.type_name or "", item.number or "", item.issued_date or "", item.unit_name or "",
                            item.file_code or "", item.page_no or "", kind_label(item.kind) if item.kind else "",
                            item.value or "", fixed.corrected_value if fixed else "",
                            "Đã hạn chế xử lý" if item.action == "restriction" else (item.note or "")])
    xlsx_finish(sheet, header_row=header_row)
    out = io.BytesIO()
    book.save(out)
    with ctx.db.session() as session:
        record_event(session, principal.username, "subject_request.export", "subject_request", None,
                     {"code": row.code, "records": len({i.document_id for i in view.items})})
    return out.getvalue(), XLSX, f"tra-loi-{row.code}.xlsx"
