"""English of the citizen portal (sohoa.portal: search, browsing, records, copy requests and their tracking) and
of a document's publication state and the file's access control, keyed by the Vietnamese source text;
``{days}`` is filled in after translation. Part of ``EN``."""

PORTAL_EN: dict[str, str] = {
    # The citizen portal (sohoa.portal).
    "Cách trích dẫn": "How to cite",
    "Có phải bạn muốn tìm": "Did you mean",
    "Không văn bản nào chứa đủ mọi từ; đây là các văn bản chứa nhiều từ nhất":
        "No document holds every word; these hold the most of them",
    "Duyệt và ký": "Approve and sign",
    "Duyệt yêu cầu bản sao": "Copy requests to decide",
    "Gửi yêu cầu": "Send the request",
    "Không có yêu cầu đang chờ": "No request is waiting",
    "Không cần đăng nhập. Chỉ tài liệu công khai được hiển thị.": "No sign-in needed. Only public records are shown.",
    "Không sao chép được, hãy chọn và sao chép đoạn trên": "Could not copy: select the text above and copy it",
    "Không thực hiện được yêu cầu": "The request could not be carried out",
    "Không tìm thấy": "Not found",
    "Không tìm thấy tài liệu": "Record not found",
    "Lý do": "Reason",
    "Mã theo dõi": "Tracking code",
    "Mục đích sử dụng": "Purpose of use",
    "Người yêu cầu": "Requester",
    "Nội dung văn bản (nhận dạng tự động)": "Text of the document (automatic recognition)",
    "Quyết định": "Decision",
    "Sao chép trích dẫn": "Copy the citation",
    "Số CCCD/hộ chiếu": "ID card or passport number",
    "Thư điện tử": "Email",
    "Tra cứu": "Search",
    "Tra cứu lưu trữ": "Archive search",
    "Tra cứu tài liệu lưu trữ": "Search the archives",
    "Tra cứu tài liệu lưu trữ công khai": "Search the public archives",
    "Tra cứu tài liệu lưu trữ công khai: không cần đăng nhập.": "Search the public archives: no sign-in needed.",
    "Tài liệu có thể chưa được công bố, đã thay đổi mã định danh hoặc địa chỉ bị gõ sai. Hãy tra cứu lại:":
        "The record may not be published yet, its identifier may have changed, or the address was mistyped. "
        "Search again:",
    "Tải bản sao có chữ ký số (PDF)": "Download the digitally signed copy (PDF)",
    "Từ chối": "Refuse",
    "Về trang tra cứu": "Back to the search page",
    "Xem tệp PDF": "View the PDF",
    "Yêu cầu bản sao": "Copy request",
    "Yêu cầu cấp bản sao": "Request a certified copy",
    "bị từ chối": "refused",
    "lưu lại để tra cứu kết quả": "keep it to look up the outcome",
    "Điện thoại": "Telephone",
    "Đã sao chép trích dẫn": "Citation copied",
    "Đường dẫn cố định": "Permanent link",
    "Thuộc hồ sơ": "In file",
    "Địa chỉ": "Address",
    "đang chờ xử lý": "waiting to be processed",
    "đã duyệt": "approved",
    # Publication (#17 item 1): a document's state with the public, the file's access control.
    "Bản nháp": "Draft",
    "Đã công bố": "Published",
    "Đã rút": "Withdrawn",
    "Công bố": "Publication",
    "Công chúng chưa thấy văn bản này": "Not yet visible to the public",
    "Công chúng thấy văn bản này trên cổng và qua API công khai": "The public sees it on the portal and the public API",
    "Văn bản từng được công bố, nay công chúng không còn thấy": "It was public and is no longer",
    "văn bản đổi mức": "documents changed level",
    "văn bản nay công bố trên cổng": "documents now published on the portal",
    "văn bản bị rút khỏi cổng": "documents withdrawn from the portal",
    "đã công bố": "published",
    "chưa kiểm duyệt xong": "not through review yet",
    "Văn bản chỉ lên cổng công dân khi hồ sơ ở mức Công khai và văn bản đã được kiểm duyệt (và kiểm tra chất lượng "
    "nếu được chọn mẫu); văn bản đã gộp, bị thay thế hoặc có độ mật không bao giờ lên cổng.":
        "A document reaches the citizen portal only when its file is Public and the document has been reviewed (and "
        "passed quality control when sampled); merged, superseded and độ mật documents never do.",
    "văn bản chưa theo mức độ tiếp cận của hồ sơ (xếp vào từ nơi khác với mức chặt hơn)":
        "documents do not follow the file's access level (filed in from elsewhere at a stricter level)",
    "Áp dụng mức của hồ sơ cho các văn bản": "Apply the file's level to its documents",
    "Phân quyền truy cập": "Access control",
    "ví dụ": "e.g.",
    # Browsing, record placement, copy-request terms and tracking (#17 item 7).
    "Điều hướng cổng tra cứu": "Portal navigation",
    "Tài liệu công khai": "Public records",
    "Tra cứu yêu cầu bản sao": "Track a copy request",
    "Duyệt tài liệu công khai": "Browse the public records",
    "Tài liệu công khai đã chọn": "Public records chosen",
    "Điều kiện đã chọn": "Chosen filters",
    "Bỏ điều kiện": "Remove the filter",
    "tài liệu": "records",
    "Theo đơn vị": "By unit",
    "Theo năm": "By year",
    "Theo loại văn bản": "By document type",
    "Đơn vị hiện nay, kèm các đơn vị cũ đã sáp nhập vào (năm 2025)":
        "Units of today, with the former units merged into them (2025)",
    "Đơn vị cũ": "Former units",
    "trước đây": "formerly",
    "Trang kết quả": "Result pages",
    "Trang trước": "Previous page",
    "Trang sau": "Next page",
    "Trang {page}/{pages}": "Page {page} of {pages}",
    "Không có văn bản chứa đủ các từ; đây là kết quả gần đúng":
        "No document holds all the words; these are the closest matches",
    "Vị trí trong kho lưu trữ": "Place in the archive",
    "Kết quả tra cứu": "Search results",
    "mã phông": "fonds code",
    "Mã tham chiếu": "Reference code",
    "Phí": "Fees",
    "Thời hạn": "Time",
    "Lưu trữ trả lời trong {days} ngày làm việc; bản sao có chữ ký số được tải về tại trang theo dõi yêu cầu.":
        "The archive answers within {days} working days; the digitally signed copy is downloaded from the "
        "request's tracking page.",
    "Phí khai thác, sử dụng tài liệu lưu trữ và phí chứng thực thu theo biểu phí hiện hành; cán bộ lưu trữ báo số "
    "tiền và cách nộp khi duyệt yêu cầu.":
        "Fees for using archival records and for certification follow the current fee schedule; the archive "
        "tells you the amount and how to pay when it approves the request.",
    "Thông tin bắt buộc": "Required information",
    "Ghi lại hoặc chụp màn hình mã này: nhập mã tại trang “Tra cứu yêu cầu bản sao” để xem kết quả (không phân "
    "biệt chữ hoa, chữ thường).":
        "Write this code down or take a screenshot: enter it on the “Track a copy request” page to see the "
        "outcome (upper or lower case alike).",
    "Ngày gửi": "Sent on",
    "Dự kiến trả lời": "Answer expected",
    "trước hoặc trong ngày": "on or before",
    "Ngày xử lý": "Decided on",
    "Nhập mã theo dõi nhận được khi gửi yêu cầu, ví dụ K7MA-4QX2 (không phân biệt chữ hoa, chữ thường; có hoặc "
    "không có dấu gạch).":
        "Enter the tracking code you were given when you sent the request, e.g. K7MA-4QX2 (upper or lower case, "
        "with or without the dash).",
    "Xem trạng thái": "See the status",
}
