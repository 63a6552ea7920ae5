"""Code labels: every code the staff app and the portal show people, with its Vietnamese and English name.

Stored values (states, access levels, validation and defect codes, audit actions, permissions, NĐ 30
document types, độ mật / độ khẩn) are identifiers or Vietnamese data; a page never prints one as is but
asks :func:`label` (the ``label`` filter of the templates: ``{{ f.access_level | label("access") }}``).
A missing value reads "—", never "None"; an unknown code is shown as it is (the i18n tests list the codes
each page shows and fail on one without a label).
"""

from __future__ import annotations

from collections.abc import Mapping

from sohoa.domain.codes import (
    ACCESS_LEVELS,
    DOCUMENT_TYPES,
    DOCUMENT_TYPES_EN,
    RETENTION_CODES,
    ROLE_NAMES,
    Secrecy,
    Urgency,
    type_by_name,
)
from sohoa.domain.fields import FIELDS
from sohoa.domain.inventory import parse_retention
from sohoa.services.identity.permissions import Permission
from sohoa.services.production.qc import DEFECT_CODES

__all__ = ["EMPTY", "LABELS", "label", "labels_of", "plural", "retention_label"]

EMPTY = "—"

Label = tuple[str, str]  # (Vietnamese, English)

_ROLES: dict[str, Label] = {role.value: pair for role, pair in ROLE_NAMES.items()}

# Document, file, upload, ingest and copy-request states (sohoa.domain.workflow), one table: the values do
# not collide, and where two machines share a word (done, failed, pending) they mean the same.
_STATES: dict[str, Label] = {
    "extracted": ("đã nhận dạng", "recognized"),
    "unsorted": ("chưa xếp hồ sơ", "not in a file"),
    "review": ("chờ kiểm duyệt", "awaiting review"),
    "qc": ("chờ kiểm tra", "awaiting QC"),
    "rework_scan": ("quét lại", "rescan"),
    "rework_review": ("duyệt lại", "re-review"),
    "accepted": ("đạt", "accepted"),
    "published": ("đã công bố", "published"),
    "merged": ("đã gộp", "merged"),
    "superseded": ("đã bị thay thế", "superseded"),
    "registered": ("đã đăng ký", "registered"),
    "received": ("đã nhận", "received"),
    "receiving": ("đang tải lên", "uploading"),
    "queued": ("chờ xử lý", "queued"),
    "pending": ("chờ xử lý", "pending"),
    "processing": ("đang xử lý", "processing"),
    "done": ("xong", "done"),
    "failed": ("lỗi", "failed"),
    "quarantined": ("bị cách ly (tệp hỏng)", "quarantined (bad file)"),
    "approved": ("đã duyệt", "approved"),
    "refused": ("bị từ chối", "refused"),
    "open": ("mở", "open"),
    "closed": ("đóng", "closed"),
    "draft": ("bản nháp", "draft"),
    "withdrawn": ("đã rút", "withdrawn"),
}

# Inventory (mục lục hồ sơ) validation codes (sohoa.domain.inventory.Issue.code).
_VALIDATION: dict[str, Label] = {
    "missing": ("thiếu", "missing"),
    "not_number": ("không phải số", "not a number"),
    "bad_code": ("ký hiệu sai", "bad number"),
    "too_long": ("quá dài", "too long"),
    "bad_date": ("ngày sai", "bad date"),
    "date_order": ("ngày đảo ngược", "dates reversed"),
    "date_range": ("ngoài khoảng", "out of range"),
    "bad_retention": ("thời hạn sai", "bad retention"),
    "short_retention": ("thời hạn ngắn", "short retention"),
    "pages_lt_sheets": ("trang ít hơn tờ", "pages < sheets"),
    "duplicate": ("trùng", "duplicate"),
    "already_registered": ("đã đăng ký", "already registered"),
}

_AUDIT: dict[str, Label] = {
    "access.change": ("Đổi mức độ tiếp cận", "Access level changed"),
    "accession.create": ("Tạo đợt giao nộp", "Accession created"),
    "accession.handover": ("Lập biên bản giao nhận", "Handover record"),
    "api.ingest_accept": ("API: nhận tệp", "API: ingest accepted"),
    "api.ingest_duplicate": ("API: tệp trùng", "API: duplicate ingest"),
    "api.ingest_refused": ("API: từ chối tệp", "API: ingest refused"),
    "api.ingest_status": ("API: xem trạng thái nhập", "API: ingest status"),
    "auth.login": ("Đăng nhập", "Signed in"),
    "auth.login_failed": ("Đăng nhập thất bại", "Failed sign-in"),
    "box.receive": ("Nhận hộp", "Box received"),
    "catalogue.export": ("Xuất mục lục", "Catalogue exported"),
    "copy.approve": ("Duyệt yêu cầu bản sao", "Copy request approved"),
    "copy.download": ("Tải bản sao", "Copy downloaded"),
    "copy.refuse": ("Từ chối yêu cầu bản sao", "Copy request refused"),
    "copy.request": ("Yêu cầu bản sao", "Copy requested"),
    "document.create": ("Tạo văn bản", "Document created"),
    "document.download": ("Tải văn bản", "Document downloaded"),
    "document.pdf_rebuilt": ("Dựng lại PDF", "PDF rebuilt"),
    "document.publish": ("Công bố văn bản", "Document published"),
    "document.review": ("Duyệt văn bản", "Document approved"),
    "document.update": ("Sửa văn bản", "Document changed"),
    "document.view": ("Xem văn bản", "Document viewed"),
    "file.assign_fonds": ("Xếp hồ sơ vào phông", "File assigned to a fonds"),
    "file.create": ("Tạo hồ sơ", "File created"),
    "file.receive": ("Nhận hồ sơ", "File received"),
    "file.update": ("Sửa hồ sơ", "File changed"),
    "file.place": ("Xếp hồ sơ vào phông, hộp", "File placed in a fonds and box"),
    "fonds.create": ("Tạo phông", "Fonds created"),
    "fonds.status": ("Đổi trạng thái phông", "Fonds status changed"),
    "formats.at_risk": ("Phát hiện định dạng có rủi ro", "Formats at risk found"),
    "grant.create": ("Cấp quyền xem", "Access granted"),
    "grant.revoke": ("Thu hồi quyền xem", "Access revoked"),
    "ingest.done": ("Nhập xong", "Ingest done"),
    "ingest.fail": ("Nhập lỗi", "Ingest failed"),
    "ingest.quarantine": ("Cách ly tệp hỏng", "Bad file quarantined"),
    "inventory.reimport": ("Nhập lại mục lục (đã xác nhận)", "Inventory re-imported (confirmed)"),
    "inventory.upload": ("Tải lên mục lục", "Inventory uploaded"),
    "oai.request": ("Yêu cầu OAI-PMH", "OAI-PMH request"),
    "package.export": ("Xuất gói thông tin (SIP/AIP/DIP)", "Information package exported"),
    "package.ingested": ("Nhận gói SIP/AIP vào kho", "Package taken in"),
    "page.ocr": ("Nhận dạng trang", "Page recognized"),
    "page.view": ("Xem trang", "Page viewed"),
    "qc.accept": ("Kiểm tra đạt", "QC passed"),
    "qc.reject": ("Kiểm tra không đạt", "QC failed"),
    "qc.plan_create": ("Tạo kế hoạch lấy mẫu", "Sampling plan created"),
    "qc.redo": ("Làm lại theo kiểm tra chất lượng", "Redone after quality control"),
    "qc.plan_update": ("Sửa kế hoạch lấy mẫu", "Sampling plan changed"),
    "record.request": ("Yêu cầu hồ sơ", "Record requested"),
    "record.request_view": ("Xem yêu cầu hồ sơ", "Record request viewed"),
    "scan.hot_folder": ("Thư mục quét tự động", "Hot folder scan"),
    "scan.done": ("Tải lên bản quét xong", "Scan upload done"),
    "scan.failed": ("Tải lên bản quét lỗi", "Scan upload failed"),
    "scan.upload_done": ("Tải lên bản quét xong", "Scan upload done"),
    "scan.upload_start": ("Bắt đầu tải lên bản quét", "Scan upload started"),
    "personal.add": ("Thêm vùng che dữ liệu cá nhân", "Personal data mask added"),
    "personal.mask": ("Che dữ liệu cá nhân khi công bố", "Personal data set to masked"),
    "personal.search": ("Tra cứu dữ liệu cá nhân", "Personal data searched"),
    "preservation.fixity_failed": ("Kiểm tra toàn vẹn phát hiện đối tượng hỏng hoặc mất",
                                   "Fixity check found an object damaged or lost"),
    "preservation.fixity_started": ("Bắt đầu kiểm tra toàn vẹn", "Fixity pass started"),
    "task.dead": ("Tác vụ thất bại sau các lần thử lại", "Task failed after its retries"),
    "task.retry": ("Chạy lại tác vụ lỗi", "Dead letter retried"),
    "task.discard": ("Bỏ tác vụ lỗi", "Dead letter discarded"),
    "preservation.backup_started": ("Bắt đầu sao lưu", "Backup started"),
    "preservation.key_created": ("Tạo khóa mã hóa", "Encryption key created"),
    "preservation.key_retired": ("Hủy khóa mã hóa cũ", "Encryption key retired"),
    "preservation.key_rotated": ("Xoay khóa mã hóa", "Encryption key rotated"),
    "preservation.ocfl_sync_started": ("Bắt đầu ghi phiên bản OCFL", "OCFL sync started"),
    "preservation.repaired": ("Sửa đối tượng hỏng từ bản sao", "Damaged object repaired from the replica"),
    "preservation.replica_sync_started": ("Bắt đầu đồng bộ bản sao", "Replica sync started"),
    "preservation.restored": ("Phục hồi kho từ bộ sao lưu", "Archive restored from a backup"),
    "personal.unmask": ("Hiển thị dữ liệu khi công bố (không phải dữ liệu cá nhân)", "Personal data set to shown"),
    "personal.view": ("Xem dữ liệu cá nhân không che", "Personal data viewed unmasked"),
    "search": ("Tìm kiếm", "Search"),
    "subject_request.answer": ("Trả lời yêu cầu của chủ thể dữ liệu", "Data subject request answered"),
    "subject_request.create": ("Ghi nhận yêu cầu của chủ thể dữ liệu", "Data subject request recorded"),
    "subject_request.export": ("Tải trả lời yêu cầu của chủ thể dữ liệu", "Data subject request answer downloaded"),
    "subject_request.item": ("Ghi kết quả yêu cầu của chủ thể dữ liệu", "Data subject request item recorded"),
    "token.create": ("Tạo khóa API", "API token created"),
    "token.revoke": ("Thu hồi khóa API", "API token revoked"),
    "unit.create": ("Tạo đơn vị", "Unit created"),
    "units.import": ("Nhập danh mục đơn vị", "Units imported"),
    "user.create": ("Tạo tài khoản", "Account created"),
    "user.password_change": ("Đổi mật khẩu", "Password changed"),
    "user.preferences": ("Đổi tùy chọn cá nhân (ngôn ngữ, múi giờ)", "Preferences changed (language, time zone)"),
    "user.sessions_revoke": ("Kết thúc các phiên", "Sessions ended"),
    "user.update": ("Sửa tài khoản", "Account changed"),
    "webhook.create": ("Tạo webhook", "Webhook created"),
    "webhook.delete": ("Xóa webhook", "Webhook deleted"),
}

# What an audit event is about (Event.entity_type).
_ENTITIES: dict[str, Label] = {
    "document": ("văn bản", "document"),
    "page": ("trang", "page"),
    "file_unit": ("hồ sơ", "file"),
    "accession": ("đợt giao nộp", "accession"),
    "box": ("hộp", "box"),
    "fonds": ("phông", "fonds"),
    "unit": ("đơn vị", "unit"),
    "user": ("tài khoản", "account"),
    "grant": ("quyền xem", "grant"),
    "qc_plan": ("kế hoạch lấy mẫu", "sampling plan"),
    "scan_upload": ("tải lên bản quét", "scan upload"),
    "copy_request": ("yêu cầu bản sao", "copy request"),
    "record_request": ("yêu cầu hồ sơ", "record request"),
    "subject_request": ("yêu cầu của chủ thể dữ liệu", "data subject request"),
    "ingest_item": ("tệp nhập", "ingest item"),
    "api_token": ("khóa API", "API token"),
    "webhook": ("webhook", "webhook"),
}

_PERMISSIONS: dict[str, Label] = {
    Permission.AUTHENTICATED: ("Đã đăng nhập (trang chủ, mật khẩu)", "Signed in (home, own password)"),
    Permission.INTAKE_VIEW: ("Xem tiếp nhận", "View intake"),
    Permission.INTAKE_EDIT: ("Tiếp nhận: đợt, mục lục, hộp, biên bản", "Intake: accessions, inventory, boxes"),
    Permission.ARRANGE: ("Chỉnh lý", "Arrangement"),
    Permission.SCAN: ("Tải lên bản quét", "Upload scans"),
    Permission.REVIEW: ("Kiểm duyệt", "Review"),
    Permission.QC: ("Kiểm tra chất lượng", "Quality control"),
    Permission.QC_PLAN: ("Kế hoạch lấy mẫu", "Sampling plans"),
    Permission.PROGRESS: ("Xem tiến độ", "View progress"),
    Permission.ADMIN: ("Quản trị", "Administration"),
    Permission.DOCUMENT_READ: ("Đọc văn bản, tìm kiếm", "Read documents, search"),
    Permission.PAGE_VIEW: ("Xem ảnh trang", "View page images"),
    Permission.PERSONAL_READ: ("Xem dữ liệu cá nhân không che", "See personal data unmasked"),
    Permission.PERSONAL_SEARCH: ("Tra cứu dữ liệu cá nhân, yêu cầu của chủ thể dữ liệu",
                                 "Personal data search, data subject requests"),
    Permission.PRESERVATION_VIEW: ("Xem tình trạng bảo quản (toàn vẹn, bản sao, sao lưu, định dạng, mã hóa)",
                                   "View preservation (fixity, replicas, backups, formats, encryption)"),
    Permission.PRESERVATION_MANAGE: ("Thao tác bảo quản (chạy kiểm tra toàn vẹn, đồng bộ, xoay khóa)",
                                     "Preservation actions (run a fixity pass, sync, rotate keys)"),
    Permission.TASKS_VIEW: ("Xem tác vụ của cụm (hàng đợi, tiến trình, tác vụ lỗi)",
                            "View cluster tasks (queues, workers, dead letters)"),
    Permission.TASKS_MANAGE: ("Chạy lại hoặc bỏ tác vụ lỗi", "Retry or discard dead letters"),
}

# Độ mật (Luật Bảo vệ bí mật nhà nước 2018) and độ khẩn (NĐ 30 Phụ lục I): stored as their Vietnamese names.
_SECRECY: dict[str, Label] = {
    Secrecy.MAT: ("Mật", "Confidential"),
    Secrecy.TOI_MAT: ("Tối mật", "Secret"),
    Secrecy.TUYET_MAT: ("Tuyệt mật", "Top secret"),
}
_URGENCY: dict[str, Label] = {
    Urgency.KHAN: ("Khẩn", "Urgent"),
    Urgency.THUONG_KHAN: ("Thượng khẩn", "Very urgent"),
    Urgency.HOA_TOC: ("Hỏa tốc", "Flash"),
}

# NĐ 30 document types (stored by their Vietnamese name).
_TYPES: dict[str, Label] = {t.name: (t.name, DOCUMENT_TYPES_EN[t.name]) for t in DOCUMENT_TYPES}

_RETENTION: dict[str, Label] = {
    "Vĩnh viễn": ("Vĩnh viễn", "Permanent"),
    "Khác": ("Khác", "Other"),
} | {name: (name, name.replace(" năm", " years")) for name in RETENTION_CODES.values() if "năm" in name}

LABELS: Mapping[str, Mapping[str, Label]] = {
    "access": {level.value: pair for level, pair in ACCESS_LEVELS.items()},
    "state": _STATES,
    "role": _ROLES,
    "validation": _VALIDATION,
    "defect": {code: (vi, en) for code, (vi, en, _) in DEFECT_CODES.items()},
    "audit": _AUDIT,
    "entity": _ENTITIES,
    "permission": _PERMISSIONS,
    "secrecy": _SECRECY,
    "urgency": _URGENCY,
    "doctype": _TYPES,
    "retention": _RETENTION,
    "field": {spec.name: (spec.label_vi, spec.label_en) for spec in FIELDS},
}


def labels_of(kind: str) -> Mapping[str, Label]:
    """Every code of a kind with its (Vietnamese, English) label, in the list's order (selects)."""
    return LABELS[kind]


def retention_label(value: str, lang: str) -> str:
    """A retention as written ('Vĩnh viễn', '20 năm', '20') in the interface language."""
    parsed = parse_retention(value)
    if parsed is None:
        return value
    permanent, years = parsed
    if permanent:
        return "Vĩnh viễn" if lang == "vi" else "Permanent"
    return f"{years} năm" if lang == "vi" else plural(years or 0, "year", lang="en")


def label(kind: str, code: object, lang: str) -> str:
    """The name of ``code`` of ``kind`` in ``lang`` ('vi' or 'en'); "—" for no value; an unknown code as is."""
    if code is None or code == "":
        return EMPTY
    text = str(code)
    pair = LABELS[kind].get(text)
    if pair is None and kind == "doctype":  # as read or typed ("QUYẾT ĐỊNH"): English named, Vietnamese as stored
        found = type_by_name(text)
        pair = (text, _TYPES[found.name][1]) if found is not None else None
    if pair is None and kind == "retention":
        return retention_label(text, lang)
    if pair is None:
        return text
    return pair[1] if lang == "en" else pair[0]


_IRREGULAR = {"box": "boxes", "copy request": "copy requests", "person": "people", "fonds": "fonds"}


def plural(count: int, noun: str, *, lang: str, vi: str | None = None, many: str | None = None) -> str:
    """'1 box', '2 boxes' in English (``many``: the plural when the rule does not make it); Vietnamese nouns
    do not change ('2 hộp', with ``vi`` as the noun)."""
    if lang != "en":
        return f"{count} {vi or noun}"
    if count == 1:
        return f"1 {noun}"
    return f"{count} {many or _IRREGULAR.get(noun) or _english_plural(noun)}"


def _english_plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s"
