"""English of the account page (#17 item 9): the user's own language and time zone, and the audit page's note on
which zone its times are in, keyed by the Vietnamese source text. Part of ``EN``."""

ACCOUNT_EN: dict[str, str] = {
    "Tài khoản của tôi": "My account",
    "Tùy chọn cá nhân": "Preferences",
    "Ngôn ngữ giao diện": "Interface language",
    "Theo lựa chọn trên thanh đầu trang": "As chosen in the page header",
    "Tiếng Việt": "Vietnamese",
    "Múi giờ": "Time zone",
    "Múi giờ của hệ thống": "The system's time zone",
    "Thời điểm trên các trang (kể cả nhật ký truy cập) hiện theo múi giờ này": (
        "Times on the pages (the audit log included) are shown in this time zone"
    ),
    "Lưu tùy chọn": "Save preferences",
    "Đã lưu tùy chọn": "Preferences saved",
    "Thời điểm hiện theo múi giờ": "Times are shown in the time zone",
    "đổi tại trang tài khoản": "change it on the account page",
    "Tệp CSV/XLSX xuất ra ghi thời điểm theo ISO 8601 với độ lệch múi giờ của hệ thống (Thông tư 05/2025)": (
        "CSV/XLSX exports give times in ISO 8601 with the system's time zone offset (Circular 05/2025)"
    ),
}
