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
    # The arrangement file page's publication panel (templates/_publication.html).
    "Văn bản trên cổng công dân": "Documents on the citizen portal",
    "Hồ sơ chưa có văn bản.": "The file holds no document yet.",
    "Trạng thái công bố": "Publication state",
    "Vì sao chưa lên cổng, việc cần làm": "Why it is not on the portal, and what to do",
    "Xem trên cổng công dân": "See it on the citizen portal",
    "Chưa kiểm duyệt": "Not reviewed",
    "Kiểm duyệt văn bản": "Review the document",
    "Chờ kiểm tra chất lượng (người kiểm tra chất lượng thực hiện)":
        "Waiting for quality control (done by a QC inspector)",
    "Bị trả về quét lại (người quét thực hiện)": "Sent back to scanning (done by a scan operator)",
    "Đã gộp vào văn bản khác": "Merged into another document",
    "Đã được thay bằng bản quét lại": "Replaced by a rescan",
    "Có độ mật: không bao giờ lên cổng": "Classified (độ mật): never on the portal",
    "Xếp vào với mức tiếp cận chặt hơn hồ sơ": "Filed in at a stricter access level than its file",
    "Hồ sơ chưa ở mức Công khai": "The file is not public",
    "Công bố hồ sơ (mức Công khai)": "Publish the file (make it public)",
}
