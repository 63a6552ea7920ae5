"""English of the administrator's access-control and audit-log pages and of the NĐ 30 code-list selects, keyed by
the Vietnamese source text. Part of ``EN``."""

ADMIN_EN: dict[str, str] = {
    "Cấp quyền xem hồ sơ có thời hạn": "Grant time-limited access to a file",
    "Số ngày": "Days",
    "Cấp quyền": "Grant",
    "Đổi mức độ tiếp cận của hồ sơ": "Change a file's access level",
    "Căn cứ": "Legal basis",
    "Quyền đang hiệu lực": "Grants in force",
    "Hết hạn": "Expires",
    "Thu hồi": "Revoke",
    "Chuỗi băm toàn vẹn": "Hash chain intact",
    "Nhật ký bị sửa đổi tại bản ghi": "The log was altered at entry",
    "Người thực hiện": "Actor",
    "Hành động": "Action",
    "Đối tượng": "Object",
    "Thời điểm": "Time",
    "Chi tiết": "Details",
    "Cũ hơn": "Older",
    # The NĐ 30 code-list selects (độ mật, độ khẩn): the empty choice.
    "— không —": "— not set —",
}
