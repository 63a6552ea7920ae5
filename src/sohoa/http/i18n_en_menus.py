"""English of the staff menu (its queue counts) and of the flash messages after actions (``sohoa.web.flash``),
keyed by the Vietnamese source text; ``{name}`` parts are filled in after translation. Part of ``EN``."""

MENUS_EN: dict[str, str] = {
    "Cấp bản sao": "Copy requests",
    "Người dùng và đơn vị": "Users and units",
    "Nhật ký truy cập": "Access log",
    "Trang quản trị": "Administration pages",
    "chờ kiểm duyệt": "awaiting review",
    "yêu cầu bản sao": "copy requests",
    "chờ kiểm tra": "awaiting QC",
    "cần quét lại": "to rescan",
    "Đã duyệt yêu cầu bản sao {code}": "Copy request {code} approved",
    "Đã từ chối yêu cầu bản sao {code}": "Copy request {code} refused",
    "Đã tạo đợt giao nộp {code}": "Accession {code} created",
    "Đã ghi hộp số {number}": "Box {number} recorded",
    "Đã ghi nhận hồ sơ {notation}": "File {notation} recorded as received",
    "Đã lưu biên bản giao nhận": "Handover record saved",
    "Đã duyệt văn bản {doc}. Hàng đợi kiểm duyệt đã hết.": "Document {doc} approved. The review queue is now empty.",
    "Đã duyệt văn bản {doc}. Đang mở văn bản tiếp theo trong hàng đợi: #{next}.":
        "Document {doc} approved. Now showing the next document in the queue: #{next}.",
    "Đã gộp các trang của văn bản #{other} vào văn bản #{doc}":
        "The pages of document #{other} were merged into document #{doc}",
    "Đã tách từ trang {page} thành văn bản mới #{new}": "Pages from {page} on split off as new document #{new}",
    "Đã chuyển văn bản #{doc} sang hồ sơ số {file}": "Document #{doc} moved to file number {file}",
    "Đã sắp xếp lại thứ tự trang": "Page order saved",
    "Văn bản #{doc} đạt kiểm tra chất lượng": "Document #{doc} passed quality control",
    "Văn bản #{doc} không đạt: đã trả về khâu số hóa để quét lại":
        "Document #{doc} failed: sent back to scanning for a rescan",
    "Văn bản #{doc} không đạt: đã trả về khâu kiểm duyệt": "Document #{doc} failed: sent back to review",
    "Đã ghi kết quả kiểm tra văn bản #{doc}": "Inspection of document #{doc} recorded",
    "Đã tạo kế hoạch lấy mẫu {name}": "Sampling plan {name} created",
    "Đã bật kế hoạch lấy mẫu": "Sampling plan switched on",
    "Đã tắt kế hoạch lấy mẫu": "Sampling plan switched off",
    "Đã tạo tài khoản {user}": "Account {user} created",
    "Đã lưu tài khoản số {user}": "Account number {user} saved",
    "Đã kết thúc các phiên đăng nhập của tài khoản số {user}": "The sessions of account number {user} were ended",
    "Đã tạo đơn vị {name}": "Unit {name} created",
    "Đã tạo phông {code}": "Fonds {code} created",
    "Đã cập nhật trạng thái phông": "Fonds status updated",
    "Chưa chọn hồ sơ nào: hãy đánh dấu các hồ sơ cần xếp vào phông":
        "No file selected: tick the files to assign to the fonds",
    "Đã xếp {n} hồ sơ vào phông": "{n} file(s) assigned to the fonds",
    "Chưa chọn hồ sơ nào: hãy đánh dấu các hồ sơ cần in rồi bấm in lại":
        "No file selected: tick the files to print, then print again",
}
